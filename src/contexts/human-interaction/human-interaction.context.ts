import { inject, injectable } from 'inversify';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { Logger } from '../../shared/logging/logger';
import { SHARED } from '../../shared/kernel/tokens';
import type { Envelope } from '../../shared/messaging/envelope';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import { PrdDrafted } from '../product-definition/contracts';
import { TASK_EVENT_TYPES } from '../task-management/contracts';
import { SendNotification } from './contracts';
import { PRD_EVENTS_CONSUMER, type RecordPrdOnPrdDrafted } from './application/record-prd/record-prd-on-prd-drafted.handler';
import type { DeliverNotifications } from './application/deliver-notifications/deliver-notifications.worker';
import type { ResendUnconfirmedRequests } from './application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import { COMMANDS_CONSUMER, type SendNotificationHandler } from './application/send-notification/send-notification.handler';
import { type SyncTaskViewOnTaskEvent, TASK_EVENTS_CONSUMER } from './application/sync-task-view/sync-task-view-on-task-event.handler';
import type { HumanInteractionOptions } from './human-interaction.options';
import { HUMAN_INTERACTION } from './human-interaction.tokens';

/** Subscribes the context's handlers and runs its background work: the unconfirmed-submission sweep and the delivery worker. */
@injectable()
export class HumanInteractionContext implements BoundedContext {
  readonly name = 'human-interaction';
  private readonly resendAfterMs: number;
  private readonly sweepIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    @inject(HUMAN_INTERACTION.SyncTaskView) private readonly syncTaskView: SyncTaskViewOnTaskEvent,
    @inject(HUMAN_INTERACTION.RecordPrd) private readonly recordPrd: RecordPrdOnPrdDrafted,
    @inject(HUMAN_INTERACTION.SendNotification) private readonly sendNotification: SendNotificationHandler,
    @inject(HUMAN_INTERACTION.ResendUnconfirmedRequests) private readonly resender: ResendUnconfirmedRequests,
    @inject(HUMAN_INTERACTION.DeliverNotifications) private readonly deliveries: DeliverNotifications,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {
    this.resendAfterMs = options.resendUnconfirmedAfterMs;
    this.sweepIntervalMs = options.resendSweepIntervalMs;
  }

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    return Promise.all([
      // Ordered per task: a view applies only newer snapshots anyway, but order avoids churn.
      queue.subscribeToEvents({ consumer: TASK_EVENTS_CONSUMER, types: TASK_EVENT_TYPES, orderedByKey: true, handler: (m) => this.syncTaskView.handle(m) }),
      queue.subscribeToEvents({ consumer: PRD_EVENTS_CONSUMER, types: [PrdDrafted.type], handler: (m) => this.recordPrd.handle(m) }),
      queue.subscribeToCommands({ consumer: COMMANDS_CONSUMER, types: [SendNotification.type], handler: (m) => this.notify(m) }),
    ]);
  }

  async start(): Promise<void> {
    this.deliveries.start();
    if (this.timer || this.sweepIntervalMs === 0) return;
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweepOnce());
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.deliveries.stop();
  }

  /** A new notification may have deliveries: the worker looks at once instead of at its next poll. */
  private async notify(command: Envelope): Promise<void> {
    await this.sendNotification.handle(command);
    this.deliveries.kick();
  }

  private async sweepOnce(): Promise<void> {
    try {
      const resent = await this.resender.sweep(this.resendAfterMs);
      if (resent > 0) this.logger.warn({ resent }, 're-sent create-task for submissions task management has not confirmed');
    } catch (error) {
      this.logger.error({ err: error }, 'unconfirmed-submission sweep failed; next sweep retries');
    }
  }
}
