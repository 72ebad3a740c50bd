import { inject, injectable } from 'inversify';
import type { Logger } from '../../../../shared/logging/logger';
import { SHARED } from '../../../../shared/kernel/tokens';
import { message, payloadOf } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { AGENT_POOL, AgentPoolChanged, SetAgentPool } from '../../contracts';
import type { AgentPoolSwitch } from '../../domain/agent-pool';
import { PRODUCT_DEFINITION } from '../../product-definition.tokens';
import type { ProductDefinitionRepositoryFactory, WorkSignal } from '../repositories';

export const PRODUCT_DEFINITION_COMMANDS = 'product-definition.commands';

/**
 * An operator's `set-agent-pool`: sets the pool's switch and announces `agent-pool-changed` in one
 * unit of work. The switch lives in the database, so every process's claims honour it, whichever
 * process handled the command. Setting it to what it already is changes nothing and announces
 * nothing (a second click, a re-sent form); a command older than the one last applied (it
 * arrived late) is ignored. Resuming wakes this process's pollers; the others look at their
 * next poll.
 */
@injectable()
export class SetAgentPoolHandler {
  static readonly consumer = PRODUCT_DEFINITION_COMMANDS;
  static readonly types: readonly string[] = [SetAgentPool.type];

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(PRODUCT_DEFINITION.Repositories) private readonly repositories: ProductDefinitionRepositoryFactory,
    @inject(PRODUCT_DEFINITION.TaskPollingService) private readonly work: WorkSignal,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {}

  async handle(command: Envelope): Promise<void> {
    const { paused, by, reason } = payloadOf(SetAgentPool, command);
    const requestedAt = new Date(command.occurredAt);
    const outcome: { changed?: AgentPoolSwitch } = {};
    await this.unitOfWork.handleOnce(SetAgentPoolHandler.consumer, command, async (tx) => {
      const { agentPool } = this.repositories(tx);
      const current = await agentPool.lock(AGENT_POOL);
      if (current.requestedAt && requestedAt < current.requestedAt) return;
      if (current.paused === paused) {
        await agentPool.save({ ...current, requestedAt });
        return;
      }
      const next: AgentPoolSwitch = { pool: AGENT_POOL, paused, by, reason: reason ?? null, changedAt: tx.now, requestedAt };
      await agentPool.save(next);
      tx.outbox.add(message(AgentPoolChanged, AGENT_POOL, { paused, by, reason: next.reason, changedAt: tx.now.toISOString() }));
      outcome.changed = next;
    });
    const changed = outcome.changed;
    if (!changed) return;
    this.logger.warn(
      { pool: AGENT_POOL, paused: changed.paused, by, reason: changed.reason },
      changed.paused ? 'agent pool paused by an operator' : 'agent pool resumed by an operator',
    );
    // After the commit: the items that waited are claimable now, and this process looks at once.
    if (!changed.paused) this.work.kick();
  }
}
