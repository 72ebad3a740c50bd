import { AwaitingPrecedingMessageError, NonRetryableError, RetryableError } from '../../../src/shared/kernel/errors';
import { decideRetry, retryPolicy } from '../../../src/shared/kernel/retry';

const policy = retryPolicy({ maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0, startOverOnceAfterMs: 5_000, waitForPrecedingMs: 60_000 });

describe('decideRetry', () => {
  it('retries with doubling delays up to the attempts, then starts over once, then gives up', () => {
    const error = new RetryableError('broker away');
    expect(decideRetry(policy, error, 1, Math.random, false)).toEqual({ retry: true, delayMs: 100 });
    expect(decideRetry(policy, error, 2, Math.random, false)).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry(policy, error, 3, Math.random, false)).toEqual({ retry: true, delayMs: 5_000, startOver: true });
    expect(decideRetry(policy, error, 3, Math.random, true)).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('never retries what cannot succeed', () => {
    expect(decideRetry(policy, new NonRetryableError('bad'), 1, Math.random, false)).toEqual({ retry: false, reason: 'not-retryable' });
  });

  it('keeps a message that waits for another retrying past its attempts while it has waited less than waitForPrecedingMs', () => {
    const waiting = new AwaitingPrecedingMessageError('view behind');
    // Attempts used up, started over already: an ordinary error would be given up on here.
    expect(decideRetry(policy, waiting, 12, Math.random, true, 59_999)).toEqual({ retry: true, delayMs: 1_000 });
    expect(decideRetry(policy, waiting, 2, Math.random, false, 10)).toEqual({ retry: true, delayMs: 200 });
  });

  it('treats a waiting message like any retryable one once its wait is over', () => {
    const waiting = new AwaitingPrecedingMessageError('view behind');
    expect(decideRetry(policy, waiting, 12, Math.random, true, 60_000)).toEqual({ retry: false, reason: 'exhausted' });
    expect(decideRetry(policy, waiting, 3, Math.random, false, 60_000)).toEqual({ retry: true, delayMs: 5_000, startOver: true });
    expect(decideRetry(retryPolicy({ maxAttempts: 3 }), waiting, 3, Math.random, true, 1)).toEqual({ retry: false, reason: 'exhausted' });
  });
});
