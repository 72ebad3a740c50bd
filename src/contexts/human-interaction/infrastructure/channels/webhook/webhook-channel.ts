import type { Clock } from '../../../../../shared/kernel/clock';
import type { DeliveryContent } from '../../../application/deliver-notifications/delivery-content';
import type { NotificationChannel } from '../../../application/deliver-notifications/notification-channel';
import { renderWebhookBody } from './render-webhook';
import { signWebhook } from './webhook-signature';

/** A receiver that refused or could not be reached; its message never holds the URL (it may be a secret). */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs the notification as signed JSON. Any 2xx is success; anything else (a redirect included:
 * it is not followed) or a network error is retried. `x-refinery-delivery` stays the same across
 * retries, so a receiver that saw a delivery already can drop it.
 */
export class WebhookChannel implements NotificationChannel {
  readonly channel = 'webhook' as const;

  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  async send(url: string, content: DeliveryContent, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(renderWebhookBody(content));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Refinery-Webhook/1',
          'x-refinery-timestamp': String(timestamp),
          'x-refinery-signature': signWebhook(this.secret, timestamp, body),
          'x-refinery-delivery': `${content.notificationId}:webhook`,
        },
        body,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new WebhookDeliveryError(`receiver unreachable: ${causeOf(error)}`);
    }
    // The answer's body is of no use; drain it so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new WebhookDeliveryError(`receiver answered HTTP ${response.status}`);
  }
}
