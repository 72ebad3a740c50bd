import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { ActionConflictError } from '../../domain/human-interaction.errors';
import { assertIsAdmin, type User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { DeliveryChannel } from '../channel-preferences/channel-choice';
import type { DeliveryRecord, DeliveryStatus } from '../deliver-notifications/delivery.repository';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import { targetHostOf } from './delivery-target';

/** A delivery as an admin sees it: its target reduced to a domain or host (see targetHostOf). */
export type DeliverySummary = Omit<DeliveryRecord, 'target'> & { readonly targetHost: string };

export type RetrySelection = { readonly notificationId: string; readonly channel: DeliveryChannel } | { readonly allFailed: true };

/** What retry did; `not_found` when a named delivery does not exist. */
export type RetryOutcome = { readonly kind: 'retried'; readonly retried: number } | { readonly kind: 'not_found' };

/** The worker to wake after a retry, so it goes now rather than at the next poll. */
export interface DeliveryWaker {
  kick(): void;
}

const summarise = ({ target, ...rest }: DeliveryRecord): DeliverySummary => ({ ...rest, targetHost: targetHostOf(rest.channel, target) });

/**
 * Operators' view of email and webhook deliveries. A delivery that used up DELIVERY_MAX_ATTEMPTS
 * stays `failed` and the worker never picks it up again; once the cause is fixed (a receiver back
 * up, an SMTP password corrected) an admin sends it again from here with a fresh set of attempts.
 */
@injectable()
export class DeliveryAdmin {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(HUMAN_INTERACTION.DeliverNotifications) private readonly worker: DeliveryWaker,
  ) {}

  async list(admin: User, filter: { readonly status: DeliveryStatus; readonly limit: number }): Promise<DeliverySummary[]> {
    assertIsAdmin(admin);
    return (await this.unitOfWork.read((s) => this.repositories(s).deliveries.list(filter.status, filter.limit))).map(summarise);
  }

  /** Named: 404 if it does not exist, 409 unless it is failed. All: every failed one (possibly none). */
  async retry(admin: User, selection: RetrySelection): Promise<RetryOutcome> {
    assertIsAdmin(admin);
    const which = 'allFailed' in selection ? 'all' : selection;
    const retried = await this.unitOfWork.read((s) => this.repositories(s).deliveries.retryFailed(which, this.clock.now()));
    if (retried === 0 && which !== 'all') {
      // Nothing changed: say why (looked up after the update, so a concurrent retry reads as 409).
      const existing = await this.unitOfWork.read((s) => this.repositories(s).deliveries.find(which.notificationId, which.channel));
      if (!existing) return { kind: 'not_found' };
      throw new ActionConflictError(
        `the ${which.channel} delivery of notification ${which.notificationId} is ${existing.status}, not failed: only failed deliveries can be retried`,
      );
    }
    if (retried > 0) this.worker.kick();
    return { kind: 'retried', retried };
  }
}
