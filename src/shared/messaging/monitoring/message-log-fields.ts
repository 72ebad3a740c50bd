import { envelopeField } from '../envelope';

/** The ids that let one follow a message through the logs of every process it touched. */
export interface MessageLogFields {
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly type?: string;
  readonly key?: string;
}

/** Reads the ids from anything that claims to be an envelope: a dead letter may be malformed. */
export function messageLogFields(message: unknown): MessageLogFields {
  if (typeof message !== 'object' || message === null) return {};
  const m = message as Record<string, unknown>;
  const fields: Record<string, string | null> = {};
  for (const name of ['messageId', 'correlationId', 'type', 'key'] as const) {
    const value = envelopeField(m, name);
    if (value !== undefined) fields[name] = value;
  }
  if (m['causationId'] === null || typeof m['causationId'] === 'string') fields['causationId'] = m['causationId'];
  return fields;
}
