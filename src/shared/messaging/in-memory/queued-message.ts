import type { TraceCarrier } from '../../tracing/trace-context';
import { envelopeField } from '../envelope';

/** One consumer's copy of a message. The raw form is what travelled, as JSON would carry it. */
export interface QueuedMessage {
  /** Publish order, across the whole transport. */
  readonly seq: number;
  readonly raw: unknown;
  /** Read from the raw message for routing; '' when it has none. */
  readonly type: string;
  readonly key: string | undefined;
  /** The trace context the message travels with (the publish's `send` span), as a header would carry it. */
  readonly trace: TraceCarrier | undefined;
  /** Deliveries made so far. */
  attempts: number;
  firstFailedAt: string | undefined;
  /** Whether it already started over once after using up its attempts. */
  startedOver: boolean;
}

/** Copies the message the way a wire would: a handler can never mutate what another consumer gets. */
export function toWire(raw: unknown): unknown {
  // JSON.stringify gives undefined for undefined (and functions), whatever its declared type says.
  const json = JSON.stringify(raw) as string | undefined;
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}

export function queuedMessage(seq: number, raw: unknown, trace?: TraceCarrier): QueuedMessage {
  return { seq, raw, type: envelopeField(raw, 'type') ?? '', key: envelopeField(raw, 'key'), trace, attempts: 0, firstFailedAt: undefined, startedOver: false };
}

/** Another consumer's (or a duplicate's) independent copy: its own delivery count. */
export function copyOf(message: QueuedMessage): QueuedMessage {
  return { ...message, attempts: 0, firstFailedAt: undefined, startedOver: false };
}
