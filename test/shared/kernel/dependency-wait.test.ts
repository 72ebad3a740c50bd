import { DependencyUnavailableError, STARTUP_WAIT_POLICY, waitForDependency } from '../../../src/shared/kernel/dependency-wait';

const POSTGRES = { name: 'PostgreSQL', address: 'db.internal:5432' };
const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
const isUnreachable = (error: unknown) => (error as { code?: string }).code === 'ECONNREFUSED';

/** A clock that only moves when the code under test sleeps, and a log that keeps its lines. */
function harness() {
  let time = 0;
  const sleeps: number[] = [];
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    sleeps,
    lines,
    options: {
      now: () => time,
      sleep: (ms: number) => {
        sleeps.push(ms);
        time += ms;
        return Promise.resolve();
      },
      random: () => 0.5,
      isUnreachable,
      log: {
        warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
        info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
      },
    },
  };
}

/** Fails with `errors` in turn, then answers `value`. */
function failing<T>(errors: readonly Error[], value: T) {
  let calls = 0;
  const attempt = () => {
    calls += 1;
    const error = errors[calls - 1];
    return error ? Promise.reject(error) : Promise.resolve(value);
  };
  return { attempt, calls: () => calls };
}

describe('waitForDependency', () => {
  it('keeps trying while the dependency is unreachable, logging what it waits for, and returns once it answers', async () => {
    const h = harness();
    const dependency = failing([refused(), refused(), refused()], 'connected');

    await expect(waitForDependency(POSTGRES, dependency.attempt, { ...h.options, timeoutMs: 60_000 })).resolves.toBe('connected');

    expect(dependency.calls()).toBe(4);
    expect(h.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'waiting for PostgreSQL at db.internal:5432 (attempt 1, next in 250 ms)',
      'waiting for PostgreSQL at db.internal:5432 (attempt 2, next in 500 ms)',
      'waiting for PostgreSQL at db.internal:5432 (attempt 3, next in 1000 ms)',
    ]);
    expect(h.lines[0]?.fields).toMatchObject({
      dependency: 'PostgreSQL',
      address: 'db.internal:5432',
      attempt: 1,
      error: 'connect ECONNREFUSED 10.0.0.5:5432',
    });
    expect(h.lines.at(-1)).toMatchObject({ level: 'info', message: 'PostgreSQL at db.internal:5432 is reachable (after 4 attempts)' });
  });

  it('caps the gap between attempts (5 s by default) and gives up at the timeout, naming the dependency and the setting', async () => {
    const h = harness();
    const never = () => Promise.reject(refused());

    const outcome = waitForDependency(POSTGRES, never, { ...h.options, timeoutMs: 30_000, timeoutSetting: 'STARTUP_TIMEOUT_MS' });

    await expect(outcome).rejects.toThrow(DependencyUnavailableError);
    await expect(outcome).rejects.toThrow(
      /^PostgreSQL at db\.internal:5432 is unreachable: gave up after \d+ attempts in 30000 ms \(STARTUP_TIMEOUT_MS\); last error: connect ECONNREFUSED/,
    );
    expect(Math.max(...h.sleeps)).toBe(STARTUP_WAIT_POLICY.maxDelayMs);
    // The last attempt falls on the deadline: the waits add up to the timeout exactly.
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(30_000);
  });

  it('fails at once on an error that waiting cannot fix (a wrong password, a missing database)', async () => {
    const h = harness();
    const wrongPassword = Object.assign(new Error('password authentication failed for user "refinery"'), { code: '28P01' });
    const dependency = failing([wrongPassword], 'never');

    await expect(waitForDependency(POSTGRES, dependency.attempt, { ...h.options, timeoutMs: 60_000 })).rejects.toBe(wrongPassword);
    expect(dependency.calls()).toBe(1);
    expect(h.lines).toEqual([]);
  });

  it('makes one attempt only with a timeout of 0', async () => {
    const h = harness();
    const dependency = failing([refused()], 'connected');

    await expect(waitForDependency(POSTGRES, dependency.attempt, { ...h.options, timeoutMs: 0 })).rejects.toThrow(/gave up after 1 attempt in 0 ms/);
    expect(dependency.calls()).toBe(1);
    expect(h.sleeps).toEqual([]);
  });
});
