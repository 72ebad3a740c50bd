import { Container } from 'inversify';
import { HUMAN_INTERACTION, HumanInteractionHttpApi, humanInteractionModule } from '../../../src/contexts/human-interaction/human-interaction.module';
import type { BoundedContext } from '../../../src/shared/kernel/bounded-context';
import { systemClock } from '../../../src/shared/kernel/clock';
import { SHARED } from '../../../src/shared/kernel/tokens';
import { silentLogger } from '../../../src/shared/logging/logger';
import { InMemoryMessageQueue } from '../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { createContractRegistry } from '../../../src/app/container';
import { TEST_LINK_SECRET } from '../../support/app';
import { USERS } from './support/human-interaction.harness';

describe('humanInteractionModule', () => {
  it('lets the composition root resolve the context and the HTTP API', async () => {
    const container = new Container();
    container.bind(SHARED.UnitOfWork).toConstantValue({});
    container.bind(SHARED.Logger).toConstantValue(silentLogger());
    container.bind(SHARED.Clock).toConstantValue(systemClock);
    container.bind(SHARED.MessageQueue).toConstantValue(new InMemoryMessageQueue({ registry: createContractRegistry() }));
    await container.loadAsync(humanInteractionModule({ users: USERS, linkSecret: TEST_LINK_SECRET }));
    expect(container.get<BoundedContext>(HUMAN_INTERACTION.Context).name).toBe('human-interaction');
    expect(container.get(HUMAN_INTERACTION.HttpApi)).toBeInstanceOf(HumanInteractionHttpApi);
  });

  it('refuses configured users that are not valid', () => {
    // @ts-expect-error: 'boss' is not a role; the module must refuse it whatever the type says.
    expect(() => humanInteractionModule({ users: [{ id: 'x', name: 'X', roles: ['boss'], token: 'short' }], linkSecret: TEST_LINK_SECRET })).toThrow(
      /roles|token/,
    );
  });
});
