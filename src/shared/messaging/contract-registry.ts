import type { z } from 'zod';
import { type Envelope, envelopeSchema, type MessageKind, MESSAGE_TYPE_PATTERN, type OutgoingMessage } from './envelope';
import { InvalidMessageError } from './errors';

/** One message of a context's published language. */
export interface MessageContract<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly kind: MessageKind;
  readonly schema: S;
}

export function defineContract<S extends z.ZodType>(type: string, kind: MessageKind, schema: S): MessageContract<S> {
  if (!MESSAGE_TYPE_PATTERN.test(type)) throw new Error(`message type "${type}" must look like <context>.<name>.v<N>`);
  return { type, kind, schema };
}

export type PayloadOf<C> = C extends MessageContract<infer S> ? z.output<S> : never;

/** Builds an outgoing message whose payload type is checked against the contract at compile time. */
export function message<C extends MessageContract>(
  contract: C,
  key: string,
  payload: z.input<C['schema']>,
  messageId?: string,
): OutgoingMessage<z.input<C['schema']>> {
  return { type: contract.type, kind: contract.kind, key, payload, ...(messageId ? { messageId } : {}) };
}

function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`);
}

/**
 * A handler's own check of the message it was given: a payload that breaks its contract can never
 * succeed, so it is refused as non-retryable, naming each field.
 */
export function payloadOf<S extends z.ZodType>(contract: MessageContract<S>, message: Envelope): z.output<S> {
  if (message.type !== contract.type) throw new InvalidMessageError(message.type, [`type: expected ${contract.type}`]);
  const parsed = contract.schema.safeParse(message.payload);
  if (!parsed.success) throw new InvalidMessageError(message.type, formatIssues(parsed.error, 'payload'));
  return parsed.data;
}

/** Every message that crosses a boundary is checked here, when published and when consumed. */
export class ContractRegistry {
  private readonly contracts = new Map<string, MessageContract>();

  register(...contracts: readonly MessageContract[]): this {
    for (const contract of contracts) {
      const existing = this.contracts.get(contract.type);
      if (existing && existing !== contract) throw new Error(`message type ${contract.type} registered twice`);
      this.contracts.set(contract.type, contract);
    }
    return this;
  }

  has(type: string): boolean {
    return this.contracts.has(type);
  }

  kindOf(type: string): MessageKind | undefined {
    return this.contracts.get(type)?.kind;
  }

  types(): string[] {
    return [...this.contracts.keys()].sort();
  }

  /** Checks an envelope and its payload; returns it with the payload as the schema parsed it. */
  validate(candidate: unknown): Envelope {
    const parsed = envelopeSchema.safeParse(candidate);
    const type = typeof (candidate as { type?: unknown } | null)?.type === 'string' ? (candidate as { type: string }).type : 'message';
    if (!parsed.success) throw new InvalidMessageError(type, formatIssues(parsed.error, 'envelope'));
    const contract = this.contracts.get(parsed.data.type);
    if (!contract) throw new InvalidMessageError(type, [`type: no contract registered for ${parsed.data.type}`]);
    if (contract.kind !== parsed.data.kind) {
      throw new InvalidMessageError(type, [`kind: ${parsed.data.type} is a ${contract.kind}, not a ${parsed.data.kind}`]);
    }
    const payload = contract.schema.safeParse(parsed.data.payload);
    if (!payload.success) throw new InvalidMessageError(type, formatIssues(payload.error, 'payload'));
    return { ...parsed.data, payload: payload.data };
  }
}
