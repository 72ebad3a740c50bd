import { BackgroundLoop, type LoopLogger, type PassOutcome } from '../../../src/shared/kernel/background-loop';

/** A promise with its resolve exposed, so a test decides when a pass or a handler finishes. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

function recordingLogger(): LoopLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, error: (_fields, message) => lines.push(message) };
}

/** Lets every pending promise callback and zero-delay step run (fake timers hold real ones). */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('BackgroundLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a pass at start, then sleeps its interval; a kick wakes it early', async () => {
    const outcomes: PassOutcome[] = [];
    const loop = new BackgroundLoop({ name: 'sweep', intervalMs: 60_000, pass: async () => (outcomes.push('idle'), 'idle') }, recordingLogger());
    loop.start();
    await settle();
    expect(outcomes).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(outcomes).toHaveLength(1);
    loop.kick();
    await settle();
    expect(outcomes).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(outcomes).toHaveLength(3);
    await loop.stop();
  });

  it('goes again at once while a pass says more is waiting, or when it was kicked during the pass', async () => {
    let waiting = 3;
    let passes = 0;
    const kickedDuring = gate();
    let holdSecond = true;
    const loop = new BackgroundLoop(
      {
        name: 'relay',
        intervalMs: 60_000,
        pass: async () => {
          passes += 1;
          if (waiting > 0) {
            waiting -= 1;
            return 'more';
          }
          if (holdSecond) {
            holdSecond = false;
            await kickedDuring.promise;
          }
          return 'idle';
        },
      },
      recordingLogger(),
    );
    loop.start();
    await settle();
    // Three "more" passes, then the fourth waits inside the pass.
    expect(passes).toBe(4);
    loop.kick();
    kickedDuring.open();
    await settle();
    // The kick came during the fourth pass: a fifth runs without waiting for the interval.
    expect(passes).toBe(5);
    await settle();
    expect(passes).toBe(5);
    await loop.stop();
  });

  it('backs off after failed passes, doubling, and kicks do not cut the backoff short', async () => {
    const logger = recordingLogger();
    let failing = true;
    const at: number[] = [];
    const start = Date.now();
    const loop = new BackgroundLoop(
      {
        name: 'relay',
        intervalMs: 100,
        failureBackoff: { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 1_000, maxDelayMs: 4_000, multiplier: 2, jitter: 0 },
        pass: async () => {
          at.push(Date.now() - start);
          if (!failing) return 'idle';
          if (at.length % 2 === 0) throw new Error('broker unavailable');
          return 'failed';
        },
      },
      logger,
    );
    loop.start();
    await settle();
    expect(at).toEqual([0]);
    loop.kick();
    await jest.advanceTimersByTimeAsync(999);
    expect(at).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(at).toEqual([0, 1_000]);
    expect(loop.consecutiveFailures).toBe(2);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(at).toEqual([0, 1_000, 3_000]);
    failing = false;
    await jest.advanceTimersByTimeAsync(4_000);
    expect(at).toEqual([0, 1_000, 3_000, 7_000]);
    expect(loop.consecutiveFailures).toBe(0);
    // Healthy again: back to the interval, and kicks wake it.
    await jest.advanceTimersByTimeAsync(100);
    expect(at).toHaveLength(5);
    loop.kick();
    await settle();
    expect(at).toHaveLength(6);
    // The thrown error was logged with the loop's name; the returned 'failed' was not.
    expect(logger.lines).toEqual(['relay: pass failed; backing off']);
    await loop.stop();
  });

  it('stop waits for the pass in flight and starts no other', async () => {
    const inPass = gate();
    const release = gate();
    let passes = 0;
    const loop = new BackgroundLoop(
      {
        name: 'sweep',
        intervalMs: 10,
        pass: async () => {
          passes += 1;
          inPass.open();
          await release.promise;
          return 'more';
        },
      },
      recordingLogger(),
    );
    loop.start();
    await inPass.promise;
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release.open();
    await stopping;
    expect(stopped).toBe(true);
    expect(passes).toBe(1);
    expect(loop.isRunning).toBe(false);
  });

  it('sleeps one interval before the first pass when asked to', async () => {
    let passes = 0;
    const loop = new BackgroundLoop({ name: 'retention', intervalMs: 1_000, sleepFirst: true, pass: async () => (passes++, 'idle') }, recordingLogger());
    loop.start();
    await jest.advanceTimersByTimeAsync(999);
    expect(passes).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(passes).toBe(1);
    await loop.stop();
  });

  describe('a claim loop', () => {
    it('handles up to `concurrency` items at once, claims only the free capacity, and claims again when a slot frees', async () => {
      const waiting = ['a', 'b', 'c', 'd', 'e'];
      const limits: number[] = [];
      const running = new Map<string, () => void>();
      let most = 0;
      const loop = new BackgroundLoop<string>(
        {
          name: 'deliveries',
          intervalMs: 60_000,
          concurrency: 2,
          claim: async (limit) => {
            limits.push(limit);
            return waiting.splice(0, limit);
          },
          handle: (item) =>
            new Promise<void>((resolve) => {
              running.set(item, () => {
                running.delete(item);
                resolve();
              });
              most = Math.max(most, running.size);
            }),
        },
        recordingLogger(),
      );
      loop.start();
      await settle();
      expect([...running.keys()]).toEqual(['a', 'b']);
      expect(loop.handling).toBe(2);
      running.get('a')?.();
      await settle();
      expect([...running.keys()]).toEqual(['b', 'c']);
      running.get('b')?.();
      running.get('c')?.();
      await settle();
      expect([...running.keys()]).toEqual(['d', 'e']);
      running.get('d')?.();
      running.get('e')?.();
      await settle();
      expect(running.size).toBe(0);
      expect(most).toBe(2);
      // Never asked for more than the free slots; the last claim found nothing and the loop went idle.
      expect(Math.max(...limits)).toBe(2);
      const claimsWhenIdle = limits.length;
      await settle();
      expect(limits).toHaveLength(claimsWhenIdle);
      await loop.stop();
    });

    it('stop waits for the items still being handled', async () => {
      const finish = gate();
      let handled = false;
      const items = ['only'];
      const loop = new BackgroundLoop<string>(
        {
          name: 'pollers',
          intervalMs: 60_000,
          concurrency: 4,
          claim: async (limit) => items.splice(0, limit),
          handle: async () => {
            await finish.promise;
            handled = true;
          },
        },
        recordingLogger(),
      );
      loop.start();
      await settle();
      let stopped = false;
      const stopping = loop.stop().then(() => (stopped = true));
      await settle();
      expect(stopped).toBe(false);
      finish.open();
      await stopping;
      expect(handled).toBe(true);
    });

    it('logs an item whose handler throws and goes on with the others', async () => {
      const logger = recordingLogger();
      const items = ['bad', 'good'];
      const handled: string[] = [];
      const loop = new BackgroundLoop<string>(
        {
          name: 'pollers',
          intervalMs: 60_000,
          concurrency: 1,
          claim: async (limit) => items.splice(0, limit),
          handle: async (item) => {
            if (item === 'bad') throw new Error('agent crashed');
            handled.push(item);
          },
        },
        logger,
      );
      loop.start();
      await settle();
      await settle();
      expect(handled).toEqual(['good']);
      expect(logger.lines).toEqual(['pollers: handling a claimed item failed']);
      await loop.stop();
    });

    it('refuses a concurrency below 1', () => {
      expect(
        () => new BackgroundLoop<string>({ name: 'x', intervalMs: 1, concurrency: 0, claim: async () => [], handle: async () => undefined }, recordingLogger()),
      ).toThrow('x: concurrency must be a whole number of at least 1');
    });
  });
});
