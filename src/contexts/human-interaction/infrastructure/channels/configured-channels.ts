import { Registry } from 'prom-client';
import type { Clock } from '../../../../shared/kernel/clock';
import { MonitoredMessageQueue } from '../../../../shared/messaging/monitoring/monitored-message-queue';
import type { NotificationChannel } from '../../application/deliver-notifications/notification-channel';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { webhookEgressPolicyOf } from '../../application/channel-preferences/webhook-egress';
import { PrometheusDeliveryOutcomes } from './delivery-metrics';
import { EmailChannel } from './email/email-channel';
import { WebhookChannel } from './webhook/webhook-channel';

/** The channels configuration enables: email with an SMTP URL, the webhook with a signing secret (and the egress policy). */
export function configuredChannels(options: HumanInteractionOptions, clock: Clock): NotificationChannel[] {
  const { smtp, webhookSecret } = options;
  const channels: NotificationChannel[] = [];
  if (smtp) channels.push(new EmailChannel(smtp));
  if (webhookSecret) channels.push(new WebhookChannel(webhookSecret, clock, webhookEgressPolicyOf(options)));
  return channels;
}

/** Counts on the registry /metrics serves (the monitored queue's), or on a private one. */
export function deliveryOutcomesFor(queue: unknown): PrometheusDeliveryOutcomes {
  return new PrometheusDeliveryOutcomes(queue instanceof MonitoredMessageQueue ? queue.metricsRegistry : new Registry());
}
