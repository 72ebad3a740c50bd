import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { storedText } from '../kernel/text';

export type MessageKind = 'event' | 'command';

/** `<context>.<name>.v<N>`, lowercase kebab: never derived from a class name. */
export const MESSAGE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

export const envelopeSchema = z.object({
  messageId: z.uuid(),
  type: z.string().regex(MESSAGE_TYPE_PATTERN, 'must look like <context>.<name>.v<N>'),
  kind: z.enum(['event', 'command']),
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: storedText().min(1),
  causationId: storedText().min(1).nullable(),
  key: storedText().min(1),
  payload: z.unknown(),
});

export interface Envelope<P = unknown> {
  readonly messageId: string;
  readonly type: string;
  readonly kind: MessageKind;
  readonly occurredAt: string;
  readonly correlationId: string;
  /** The message that caused this one; null for a message started by a person or a timer. */
  readonly causationId: string | null;
  /** The task id: ordering and partition key. */
  readonly key: string;
  readonly payload: P;
}

/** What a publisher says; the envelope fields it leaves out are filled by `createEnvelope`. */
/** A text field of something that may or may not be an envelope (an unchecked publish, a broken body). */
export function envelopeField(raw: unknown, name: string): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value: unknown = (raw as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export interface OutgoingMessage<P = unknown> {
  readonly type: string;
  readonly kind: MessageKind;
  readonly key: string;
  readonly payload: P;
  /**
   * A deterministic id makes a re-sent message a duplicate the consumer's inbox drops:
   * the scanner and the re-drive paths rely on it so "same command twice = one effect".
   */
  readonly messageId?: string;
}

export interface CreateEnvelopeOptions {
  /** The message being handled when this one was produced: gives correlation and causation. */
  readonly causedBy?: Pick<Envelope, 'messageId' | 'correlationId'>;
  /** Overrides the correlation id the cause would give. */
  readonly correlationId?: string;
  readonly now?: Date;
}

export function createEnvelope<P>(message: OutgoingMessage<P>, options: CreateEnvelopeOptions = {}): Envelope<P> {
  const messageId = message.messageId ?? randomUUID();
  return {
    messageId,
    type: message.type,
    kind: message.kind,
    occurredAt: (options.now ?? new Date()).toISOString(),
    correlationId: options.correlationId ?? options.causedBy?.correlationId ?? messageId,
    causationId: options.causedBy?.messageId ?? null,
    key: message.key,
    payload: message.payload,
  };
}

const REFINERY_NAMESPACE = '1b671a64-40d5-491e-99b0-da01ff1f3341';

/** A stable message id from its parts, e.g. `deterministicId('start-validation', taskId, version)`. */
export function deterministicId(...parts: ReadonlyArray<string | number>): string {
  return uuidv5(parts.join(':'), REFINERY_NAMESPACE);
}
