import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { unconfirmedSubmissions } from '../../infrastructure/persistence/sql-human-actions';
import { resendHumanAction } from '../human-action.sender';

const BATCH = 100;

/**
 * No event can repair a lost create-task command (task management never heard of the task), so
 * this context repairs it itself: a submission still unconfirmed after `olderThanMs` is sent
 * again with its original message id. Task management's inbox drops it if it was only slow.
 */
@injectable()
export class ResendUnconfirmedRequests {
  constructor(@inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork) {}

  /** One pass; returns how many submissions were sent again. */
  sweep(olderThanMs: number): Promise<number> {
    return this.unitOfWork.run(async (tx) => {
      const stale = await unconfirmedSubmissions(tx.manager, new Date(tx.now.getTime() - olderThanMs), BATCH);
      for (const recorded of stale) await resendHumanAction(tx, recorded);
      return stale.length;
    });
  }
}
