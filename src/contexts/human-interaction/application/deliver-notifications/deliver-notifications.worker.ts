import { inject, injectable, optional } from 'inversify';
import { BackgroundLoop, type Loop } from '../../../../shared/kernel/background-loop';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import { decideRetry, type RetryPolicy, retryPolicy } from '../../../../shared/kernel/retry';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { inSpanAfter } from '../../../../shared/tracing/spans';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { DeliveryChannel } from '../channel-preferences/channel-choice';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import { WebhookHostPolicy, webhookHostOf } from '../channel-preferences/webhook-hosts';
import type { DeliveryContentBuilder } from './delivery-content-builder';
import type { ClaimedDelivery } from './delivery.repository';
import type { DeliveryOutcomes, NotificationChannel } from './notification-channel';
import { withDeadline } from './with-deadline';

/** Deliveries sent at once by one process; a slow receiver holds one slot, not the others. */
const CONCURRENCY = 16;
const MAX_ERROR_LENGTH = 500;

/**
 * Sends the email and webhook deliveries the notification handler recorded, apart from message
 * handling (the workflow never waits for a channel). Each pass claims due rows in one
 * autocommit statement, then renders and sends each concurrently outside any transaction, and
 * records the outcome: sent, a retry with exponential backoff and jitter, or, after the last
 * attempt, failed (logged as an error). A claimed row is leased: a process that dies mid-send
 * leaves it due again when the lease ends, so a delivery can go out twice but is never lost
 * (webhook receivers dedupe on x-refinery-delivery).
 */
@injectable()
export class DeliverNotifications {
  /**
   * A claim loop of CONCURRENCY slots, polling every DELIVERY_POLL_INTERVAL_MS (a kick looks at
   * once). Stopping it waits for the deliveries in flight to finish and record their outcome.
   */
  readonly loop: Loop;
  private readonly channels: ReadonlyMap<DeliveryChannel, NotificationChannel>;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly webhookHosts: WebhookHostPolicy;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(SHARED.Logger) private readonly logger: Logger,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.NotificationChannels) channels: readonly NotificationChannel[],
    @inject(HUMAN_INTERACTION.DeliveryContent) private readonly content: DeliveryContentBuilder,
    @inject(HUMAN_INTERACTION.DeliveryOutcomes) private readonly outcomes: DeliveryOutcomes,
    /** The worker registry's id of this process: the lease owner of what it claims (none in some tests). */
    @inject(SHARED.InstanceId) @optional() private readonly instanceId?: string,
  ) {
    const { delivery, webhookAllowedHosts } = options;
    this.webhookHosts = new WebhookHostPolicy(webhookAllowedHosts);
    this.channels = new Map(channels.map((c) => [c.channel, c]));
    this.policy = retryPolicy({ maxAttempts: delivery.maxAttempts, initialDelayMs: delivery.initialDelayMs, maxDelayMs: delivery.maxDelayMs });
    this.timeoutMs = delivery.timeoutMs;
    // Long enough that a live attempt always finishes (and records its outcome) before it ends.
    this.leaseMs = Math.max(30_000, 3 * delivery.timeoutMs);
    this.loop = new BackgroundLoop<ClaimedDelivery>(
      {
        name: 'notification deliveries',
        intervalMs: delivery.pollIntervalMs,
        concurrency: CONCURRENCY,
        // Until the service listens, links cannot be written: wait rather than spend attempts.
        claim: async (room) => (this.content.ready() ? this.claim(room) : []),
        handle: (delivery) => this.attempt(delivery),
      },
      logger,
    );
  }

  /** New deliveries were recorded: look now rather than at the next poll. */
  kick(): void {
    this.loop.kick();
  }

  /** Releases what the channels hold open (an SMTP pool); after the loop has stopped. */
  closeChannels(): void {
    for (const channel of this.channels.values()) channel.close?.();
  }

  /** Claims what is due (up to `limit`), sends it, and resolves when every claimed one is recorded. */
  async deliverDue(limit = CONCURRENCY): Promise<number> {
    const claimed = await this.claim(limit);
    await Promise.allSettled(claimed.map((d) => this.attempt(d)));
    return claimed.length;
  }

  /** The worker registry found `instanceId` gone: what it was sending is due again now, and the worker looks at once. */
  async releaseLeasesOf(instanceId: string): Promise<number> {
    const released = await this.unitOfWork.read((s) => this.repositories(s).deliveries.releaseLeasesOf(instanceId, this.clock.now()));
    if (released > 0) {
      this.logger.warn({ instance: instanceId, released }, 'released the deliveries of a gone worker instance');
      this.loop.kick();
    }
    return released;
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    return this.unitOfWork.read((s) => this.repositories(s).deliveries.claimDue(now, new Date(now.getTime() + this.leaseMs), limit, this.instanceId));
  }

  /** One attempt, in a span continuing the trace of the step that created the notification. */
  private attempt(d: ClaimedDelivery): Promise<void> {
    const attributes = {
      ...(d.notification.taskId === null ? {} : { 'refinery.task_id': d.notification.taskId }),
      'refinery.notification.id': d.notificationId,
      'refinery.notification.channel': d.channel,
      'refinery.delivery.attempt': d.attempts,
    };
    return inSpanAfter(d.trace, `deliver notification ${d.channel}`, { attributes }, () => this.attemptInTrace(d));
  }

  private async attemptInTrace(d: ClaimedDelivery): Promise<void> {
    const who = { notificationId: d.notificationId, channel: d.channel, recipientId: d.recipientId, attempt: d.attempts };
    try {
      // A process that stopped during the last attempt leaves a row past its limit: give up.
      if (d.attempts > this.policy.maxAttempts) {
        await this.fail(d, who, 'the last attempt did not finish (the process stopped during it)');
        return;
      }
      // A target chosen before the host list was set (or narrowed) is never contacted; retrying cannot help.
      if (d.channel === 'webhook' && !this.webhookHosts.allows(d.target)) {
        await this.fail(d, who, `not sent: webhook host ${webhookHostOf(d.target) ?? '(none)'} is not allowed by WEBHOOK_ALLOWED_HOSTS`);
        return;
      }
      await this.send(d);
      await this.unitOfWork.read((s) => this.repositories(s).deliveries.markSent(d, this.clock.now()));
      this.outcomes.record(d.channel, 'sent');
      this.logger.info(who, 'notification delivered');
    } catch (error) {
      await this.failedAttempt(d, who, error).catch((recordError: unknown) => {
        // The lease runs out and the row is claimed again: nothing is lost, it may be sent twice.
        this.logger.error({ ...who, err: errorText(recordError) }, 'could not record a failed delivery attempt');
      });
    }
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    const channel = this.channels.get(d.channel);
    if (!channel) throw new Error(`the ${d.channel} channel is not configured in this process`);
    const content = await this.content.build(d.notification);
    await withDeadline(this.timeoutMs, (signal) => channel.send(d.target, content, signal));
  }

  private async failedAttempt(d: ClaimedDelivery, who: Record<string, unknown>, error: unknown): Promise<void> {
    const reason = errorText(error);
    const decision = decideRetry(this.policy, error, d.attempts);
    if (!decision.retry) return this.fail(d, who, reason);
    const { delayMs } = decision;
    await this.unitOfWork.read((s) => this.repositories(s).deliveries.scheduleRetry(d, new Date(this.clock.now().getTime() + delayMs), reason));
    this.outcomes.record(d.channel, 'retry');
    this.logger.warn({ ...who, retryInMs: delayMs, err: reason }, 'notification delivery failed; will retry');
  }

  private async fail(d: ClaimedDelivery, who: Record<string, unknown>, reason: string): Promise<void> {
    await this.unitOfWork.read((s) => this.repositories(s).deliveries.markFailed(d, reason));
    this.outcomes.record(d.channel, 'failed');
    this.logger.error(
      { ...who, maxAttempts: this.policy.maxAttempts, err: reason },
      `notification ${d.notificationId} to ${d.recipientId} by ${d.channel} failed for good`,
    );
  }
}

/** Channels keep credentials out of their errors; this only bounds the length. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
