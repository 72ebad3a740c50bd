import { SetAgentPoolHandler } from '../../../../../src/contexts/product-definition/application/set-agent-pool/set-agent-pool.handler';
import { AGENT_POOL, AgentPoolChanged, SetAgentPool } from '../../../../../src/contexts/product-definition/contracts';
import { postgresProductDefinitionRepositories } from '../../../../../src/contexts/product-definition/infrastructure/persistence/postgres-repositories';
import { PostgresWorkItemRepository } from '../../../../../src/contexts/product-definition/infrastructure/persistence/postgres-work-item.repository';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../../../src/shared/messaging/envelope';
import { DATABASE_START_MS, type Harness, openHarness } from '../../support/product-definition.harness';

describe('SetAgentPoolHandler (product-definition.commands)', () => {
  let h: Harness;
  let handler: SetAgentPoolHandler;
  const kicks = { count: 0 };
  beforeAll(async () => {
    h = await openHarness();
    handler = new SetAgentPoolHandler(h.unitOfWork, postgresProductDefinitionRepositories, { kick: () => (kicks.count += 1) }, silentLogger());
  }, DATABASE_START_MS);
  afterAll(() => h?.close());

  const command = (paused: boolean, at: string, reason?: string) =>
    createEnvelope(message(SetAgentPool, AGENT_POOL, { paused, by: 'root', ...(reason ? { reason } : {}) }), { now: new Date(at) });
  const announced = async () => (await h.outbox(AGENT_POOL)).filter((e) => e.type === AgentPoolChanged.type).map((e) => e.payload);
  const stored = () => h.unitOfWork.read((s) => postgresProductDefinitionRepositories(s).agentPool.find(AGENT_POOL));

  it('pauses and resumes once each, ignoring a repeat, a redelivery and a command older than the last applied', async () => {
    expect(await stored()).toMatchObject({ paused: false, by: null });
    const pause = command(true, '2026-01-01T10:00:00Z', 'model swap');
    await handler.handle(pause);
    await handler.handle(pause); // redelivered: the inbox drops it
    await handler.handle(command(true, '2026-01-01T10:00:01Z')); // a second click: already paused
    expect(await stored()).toMatchObject({ paused: true, by: 'root', reason: 'model swap' });
    expect(await announced()).toEqual([{ paused: true, by: 'root', reason: 'model swap', changedAt: h.clock.now().toISOString() }]);
    // While paused the claim finds nothing, even with an item waiting.
    await h.unitOfWork.run(async (tx) => {
      await postgresProductDefinitionRepositories(tx).workItems.ensure({ taskId: 't-paused', taskVersion: 2, priority: 'normal', createdAt: tx.now });
    });
    expect(await new PostgresWorkItemRepository(h.db.dataSource.manager).claimNext('test/1', h.clock.now(), 1_000)).toBeUndefined();
    expect(kicks.count).toBe(0);

    // A resume sent before the last pause arrives late: nothing changes.
    await handler.handle(command(false, '2026-01-01T09:59:00Z'));
    expect(await stored()).toMatchObject({ paused: true });
    await handler.handle(command(false, '2026-01-01T10:01:00Z'));
    expect(await stored()).toMatchObject({ paused: false, by: 'root', reason: null });
    expect((await announced()).map((p) => (p as { paused: boolean }).paused)).toEqual([true, false]);
    expect(kicks.count).toBe(1);
    expect(await new PostgresWorkItemRepository(h.db.dataSource.manager).claimNext('test/1', h.clock.now(), 1_000)).toMatchObject({ taskId: 't-paused' });
  });
});
