import type { z } from 'zod';
import type { MessageContract } from '../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../shared/messaging/envelope';
import { InvalidMessageError } from '../../../shared/messaging/errors';

/** A payload that breaks its contract can never succeed: refuse it as non-retryable. */
export function payloadOf<S extends z.ZodType>(contract: MessageContract<S>, message: Envelope): z.output<S> {
  if (message.type !== contract.type) throw new InvalidMessageError(message.type, [`type: expected ${contract.type}`]);
  const parsed = contract.schema.safeParse(message.payload);
  if (!parsed.success) {
    throw new InvalidMessageError(message.type, parsed.error.issues.map((issue) => `payload.${issue.path.map(String).join('.')}: ${issue.message}`));
  }
  return parsed.data;
}
