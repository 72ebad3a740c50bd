import { DomainError } from '../kernel/domain-error';

/**
 * Error classes drive delivery: a RetryableError is retried with backoff up to a limit and then
 * dead-lettered; a NonRetryableError is dead-lettered at once. Anything else counts as retryable.
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

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

export function isRetryable(error: unknown): boolean {
  return !(error instanceof NonRetryableError || error instanceof DomainError);
}

export function describeError(error: unknown): { errorClass: string; errorMessage: string } {
  if (error instanceof Error) return { errorClass: error.name || error.constructor.name, errorMessage: error.message };
  return { errorClass: typeof error, errorMessage: String(error) };
}
