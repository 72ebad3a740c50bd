import { Counter, type Registry } from 'prom-client';
import type { DeliveryChannel } from '../../application/channel-preferences/channel-choice';
import type { DeliveryOutcome, DeliveryOutcomes } from '../../application/deliver-notifications/notification-channel';

/** `refinery_notification_deliveries_total{channel,outcome}` on the registry /metrics serves. */
export class PrometheusDeliveryOutcomes implements DeliveryOutcomes {
  private readonly total: Counter<'channel' | 'outcome'>;

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'refinery_notification_deliveries_total',
      help: 'Email and webhook delivery attempts by outcome: sent, retry (will try again) or failed (gave up)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
  }

  record(channel: DeliveryChannel, outcome: DeliveryOutcome): void {
    this.total.inc({ channel, outcome });
  }
}
