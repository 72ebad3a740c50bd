import { inject, injectable } from 'inversify';
import { BackgroundLoop, type Loop } from '../../../../shared/kernel/background-loop';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { HumanInteractionOptions } from '../../human-interaction.options';
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
  /**
   * A sweep every `resendSweepIntervalMs` (0: none), the first one interval after start: nothing
   * is unconfirmed for long at start-up. A failed sweep is logged by the loop and retried after its backoff.
   */
  readonly loop: Loop;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {
    const { resendUnconfirmedAfterMs, resendSweepIntervalMs } = options;
    this.loop = new BackgroundLoop(
      {
        name: 'unconfirmed-submission sweep',
        intervalMs: resendSweepIntervalMs,
        sleepFirst: true,
        enabled: resendSweepIntervalMs > 0,
        pass: async () => {
          const resent = await this.sweep(resendUnconfirmedAfterMs);
          if (resent > 0) this.logger.warn({ resent }, 're-sent create-task for submissions task management has not confirmed');
          // A full batch may leave more behind; they wait for the next sweep, as they always have.
          return 'idle';
        },
      },
      logger,
    );
  }

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
