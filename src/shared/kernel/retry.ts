import { AwaitingPrecedingMessageError, isRetryable } from './errors';

/** How something that failed is tried again: message deliveries, notification sends, agent work. */
export interface RetryPolicy {
  /** Total attempts including the first; after the last failed one the thing is given up on. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** 0..1: the share of each delay that is randomised, so retries of many things spread out. */
  readonly jitter: number;
  /**
   * When the attempts are used up on an error that was retryable, start over once, with a fresh
   * set of attempts, after this delay, before giving up for good (a passing cause, such as a
   * message that overtook the one it depends on, gets a second chance before an operator must
   * look). Unset or 0: give up at once.
   */
  readonly startOverOnceAfterMs?: number;
  /**
   * A message that waits for one it depends on (AwaitingPrecedingMessageError) keeps being retried,
   * beyond `maxAttempts`, until it has been failing this long (counted from its first failure);
   * then the usual rules apply. Covers a partial outage in which the message it waits for is held
   * up (e.g. its publishes refused) for longer than a set of attempts lasts. Unset or 0: no extra wait.
   */
  readonly waitForPrecedingMs?: number;
}

/** The one default: 5 attempts, 200 ms doubling up to 30 s, ±20% jitter. Others override parts of it. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

/** The default with some fields replaced (e.g. a channel's own attempts and delays). */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

/** Delay before attempt number `failedAttempts + 1`, given `failedAttempts` failures so far (>= 1). */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, failedAttempts - 1));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

export type RetryDecision =
  /** `startOver`: the attempts were used up; the next one is attempt 1 again, and the last start-over. */
  | { readonly retry: true; readonly delayMs: number; readonly startOver?: true }
  /** `not-retryable`: the error says trying again cannot help; `exhausted`: the attempts are used up. */
  | { readonly retry: false; readonly reason: 'not-retryable' | 'exhausted' };

/**
 * What to do after `failedAttempts` failures (this one included): retry after a delay, or give
 * up. The one place that decides it, for both transports, the outbox relay, the delivery worker
 * and the agent's work items.
 */
export function decideRetry(
  policy: RetryPolicy,
  error: unknown,
  failedAttempts: number,
  random: () => number = Math.random,
  /** Whether this thing already started over once (see `startOverOnceAfterMs`). */
  startedOver = true,
  /** How long it has been failing, from its first failure (see `waitForPrecedingMs`). */
  failingForMs = 0,
): RetryDecision {
  if (!isRetryable(error)) return { retry: false, reason: 'not-retryable' };
  if (error instanceof AwaitingPrecedingMessageError && failingForMs < (policy.waitForPrecedingMs ?? 0)) {
    return { retry: true, delayMs: backoffDelay(policy, failedAttempts, random) };
  }
  if (failedAttempts >= policy.maxAttempts) {
    const after = policy.startOverOnceAfterMs ?? 0;
    return !startedOver && after > 0 ? { retry: true, delayMs: after, startOver: true } : { retry: false, reason: 'exhausted' };
  }
  return { retry: true, delayMs: backoffDelay(policy, failedAttempts, random) };
}
