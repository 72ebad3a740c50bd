import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { resendHumanAction } from '../human-action.sender';
import type { HumanInteractionRepositoryFactory } from '../repositories';

const BATCH = 100;

/**
 * No event can repair a lost create-task command (task management never heard of the task), so
 * this context repairs it itself: a submission still unconfirmed after `olderThanMs` is sent
 * again with its original message id. Task management's inbox drops it if it was only slow.
 */
@injectable()
export class ResendUnconfirmedRequests {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
  ) {}

  /** One pass; returns how many submissions were sent again. */
  sweep(olderThanMs: number): Promise<number> {
    return this.unitOfWork.run(async (tx) => {
      const { humanActions } = this.repositories(tx);
      const stale = await humanActions.unconfirmedSubmissions(new Date(tx.now.getTime() - olderThanMs), BATCH);
      for (const recorded of stale) await resendHumanAction(tx, humanActions, recorded);
      return stale.length;
    });
  }
}
