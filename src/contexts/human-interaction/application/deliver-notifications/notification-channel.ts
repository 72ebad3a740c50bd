import type { DeliveryChannel } from '../channel-preferences/channel-choice';
import type { DeliveryContent } from './delivery-content';

/**
 * A way to reach a person outside the service. `send` resolves once the other side accepted the
 * message and rejects otherwise (the worker retries); it stops when `signal` aborts (timeout).
 * Error messages end up in logs and in the delivery row: never put a credential in one.
 */
export interface NotificationChannel {
  readonly channel: DeliveryChannel;
  send(target: string, content: DeliveryContent, signal: AbortSignal): Promise<void>;
  /** Releases what the channel holds open (an SMTP pool); called once the worker has stopped. */
  close?(): void;
}

export type DeliveryOutcome = 'sent' | 'retry' | 'failed';

/** Counts what became of each attempt (Prometheus in production). */
export interface DeliveryOutcomes {
  record(channel: DeliveryChannel, outcome: DeliveryOutcome): void;
}
