import { DomainError } from './domain-error';

/**
 * Error classes drive every retry decision (see `decideRetry`): a RetryableError is tried again
 * with backoff up to a limit; a NonRetryableError, or a DomainError (a rule refused it), never
 * is. Anything else counts as retryable: an unexpected failure is more often passing than not.
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
}

/**
 * A message arrived before one it depends on (they travel on different queues), e.g. a
 * notification about a task version the task view has not reached yet. The other message is on
 * its way (the outbox guarantees it), so waiting is the cure however long it takes: it is retried
 * past the usual attempts for as long as `RetryPolicy.waitForPrecedingMs` allows.
 */
export class AwaitingPrecedingMessageError extends RetryableError {
  override readonly name: string = 'AwaitingPrecedingMessageError';
}

export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
}

export function isRetryable(error: unknown): boolean {
  return !(error instanceof NonRetryableError || error instanceof DomainError);
}

export function describeError(error: unknown): { errorClass: string; errorMessage: string } {
  if (error instanceof Error) return { errorClass: error.name || error.constructor.name, errorMessage: error.message };
  return { errorClass: typeof error, errorMessage: String(error) };
}
