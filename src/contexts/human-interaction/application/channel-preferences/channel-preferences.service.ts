import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { ActionConflictError, InvalidRequestError } from '../../domain/human-interaction.errors';
import type { User } from '../../domain/user';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { AvailableChannels, ChannelChoice } from './channel-choice';
import { type HostResolver, WebhookEgressPolicy, webhookEgressPolicyOf } from './webhook-egress';

export interface ChannelPreferencesView extends ChannelChoice {
  /** The in-app inbox cannot be turned off. */
  readonly inApp: true;
  /** What this service can send; a channel that is not available cannot be chosen. */
  readonly available: AvailableChannels;
}

export function availableChannels(options: HumanInteractionOptions): AvailableChannels {
  return { email: options.smtp !== undefined, webhook: options.webhookSecret !== undefined };
}

/**
 * Each person chooses where notifications reach them besides the in-app inbox. A choice applies
 * to notifications created after it; one already being delivered keeps its address.
 */
@injectable()
export class ChannelPreferences {
  private readonly available: AvailableChannels;
  private readonly webhookEgress: WebhookEgressPolicy;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.HostResolver) private readonly resolver: HostResolver,
  ) {
    this.available = availableChannels(options);
    this.webhookEgress = webhookEgressPolicyOf(options);
  }

  async get(user: User): Promise<ChannelPreferencesView> {
    return this.view(await this.unitOfWork.read((s) => this.repositories(s).userChannels.find(user.id)));
  }

  async replace(user: User, choice: ChannelChoice): Promise<ChannelPreferencesView> {
    if (choice.email !== null && !this.available.email) {
      throw new ActionConflictError('email notifications are not available: this service has no SMTP server configured (SMTP_URL)');
    }
    if (choice.webhookUrl !== null && !this.available.webhook) {
      throw new ActionConflictError('webhook notifications are not available: this service has no webhook signing secret configured (WEBHOOK_SECRET)');
    }
    if (choice.webhookUrl !== null) {
      // Where it goes is checked now (a clear 400) and again by the sender at connect time.
      const refusal = await this.webhookEgress.check(choice.webhookUrl, this.resolver);
      if (refusal !== undefined) throw new InvalidRequestError([{ field: 'webhookUrl', message: refusal.message }]);
    }
    await this.unitOfWork.read((s) => this.repositories(s).userChannels.save(user.id, choice, this.clock.now()));
    return this.view(choice);
  }

  private view(choice: ChannelChoice): ChannelPreferencesView {
    return { inApp: true, email: choice.email, webhookUrl: choice.webhookUrl, available: this.available };
  }
}
