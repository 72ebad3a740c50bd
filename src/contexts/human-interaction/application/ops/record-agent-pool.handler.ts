import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { AGENT_POOL, AgentPoolChanged } from '../../../product-definition/contracts';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { PRD_EVENTS_CONSUMER } from '../record-prd/record-prd-on-prd-drafted.handler';
import type { OpsRepositoryFactory } from './ops.repository';

/**
 * Keeps the console's view of the agent pool's switch: what product definition announced last
 * (a late, older announcement changes nothing). Handled by the `human-interaction.prd-events`
 * consumer, beside the PRD views.
 */
@injectable()
export class RecordAgentPoolOnPoolChanged {
  static readonly types: readonly string[] = [AgentPoolChanged.type];

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.OpsRepositories) private readonly repositories: OpsRepositoryFactory,
  ) {}

  async handle(event: Envelope): Promise<void> {
    const changed = payloadOf(AgentPoolChanged, event);
    await this.unitOfWork.handleOnce(PRD_EVENTS_CONSUMER, event, async (tx) => {
      await this.repositories(tx).agentPool.applyIfNewer({
        pool: AGENT_POOL,
        paused: changed.paused,
        by: changed.by,
        reason: changed.reason,
        changedAt: new Date(changed.changedAt),
      });
    });
  }
}
