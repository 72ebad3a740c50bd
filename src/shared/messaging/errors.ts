import { NonRetryableError, RetryableError } from '../kernel/errors';

/** A message that does not match its contract: never retried, dead-lettered with the reason. */
export class InvalidMessageError extends NonRetryableError {
  override readonly name = 'InvalidMessageError';
  constructor(
    readonly messageType: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid ${messageType}: ${issues.join('; ')}`);
  }
}

/** Optimistic concurrency: someone else saved the aggregate first. Retrying re-reads it. */
export class ConcurrencyConflictError extends RetryableError {
  override readonly name = 'ConcurrencyConflictError';
  constructor(aggregate: string, id: string, expectedVersion: number) {
    super(`${aggregate} ${id} changed concurrently (expected version ${expectedVersion})`);
  }
}

/** A publish the transport could not confirm in time; the outbox row stays unsent. */
export class PublishTimeoutError extends RetryableError {
  override readonly name = 'PublishTimeoutError';
}
