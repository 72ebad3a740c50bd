import { TEST_LINK_SECRET, TEST_USERS } from '../support/app';
import { eventually } from '../support/eventually';
import { ADMIN_DATABASE_URL, createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';

/** How long PostgreSQL stays unreachable after the process starts (issue #11: "10 s later"). */
const OUTAGE_MS = 10_000;
/** Given in the URL to show it never reaches the log (the server here trusts local connections). */
const PASSWORD = 'pw-never-logged-4242';

/**
 * The service's own main.ts in a child process, on the real PostgreSQL behind a TCP proxy
 * (test/support/tcp-proxy.ts) and the in-memory queue: started while the database is
 * unreachable, it waits with backoff, logging what it waits for, and becomes ready once the
 * database is back, without a restart. A refusal that waiting cannot fix, and a database that
 * stays away past STARTUP_TIMEOUT_MS, stop it with a message naming PostgreSQL.
 */
describe('start-up waits for PostgreSQL', () => {
  let scratch: ScratchDatabase;
  const proxies: TcpProxy[] = [];
  const children: ServiceProcess[] = [];
  const target = { host: new URL(ADMIN_DATABASE_URL).hostname, port: Number(new URL(ADMIN_DATABASE_URL).port || 5432) };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await scratch.drop();
  });

  const unreachableProxy = async () => {
    const proxy = await TcpProxy.start(target, { listening: false });
    proxies.push(proxy);
    return proxy;
  };
  const withPassword = (url: string) => {
    const parsed = new URL(url);
    parsed.password = PASSWORD;
    return parsed.toString();
  };
  const spawn = (name: string, databaseUrl: string, startupTimeoutMs: number) => {
    const child = ServiceProcess.spawn(name, {
      DATABASE_URL: databaseUrl,
      STARTUP_TIMEOUT_MS: String(startupTimeoutMs),
      MIGRATE_ON_START: 'true',
      HOST: '127.0.0.1',
      PORT: '0',
      LINK_SECRET: TEST_LINK_SECRET,
      REFINERY_USERS: TEST_USERS.map((u) => `${u.id}:${u.roles.join('+')}:${u.token ?? ''}`).join(','),
      LOG_LEVEL: 'info',
    });
    children.push(child);
    return child;
  };

  it('started while PostgreSQL is unreachable, it waits, logging each attempt, and is ready once PostgreSQL is back, without a restart', async () => {
    const proxy = await unreachableProxy();
    const startedAt = Date.now();
    const child = spawn('waits-for-postgres', withPassword(proxy.rewrite(scratch.url)), 120_000);

    const waiting = new RegExp(`waiting for PostgreSQL at 127\\.0\\.0\\.1:${proxy.port} \\(attempt (\\d+), next in \\d+ ms\\)`, 'g');
    const attemptsSoFar = () => Math.max(0, ...[...child.tail(1_000).matchAll(waiting)].map((m) => Number(m[1])));
    await eventually(() => expect(attemptsSoFar()).toBeGreaterThanOrEqual(3), { timeoutMs: 30_000, intervalMs: 100 });
    // The outage lasts OUTAGE_MS from the start (the scenario, not a wait for a result).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + OUTAGE_MS - Date.now())));
    expect(child.isRunning()).toBe(true);
    const attemptsDuringOutage = attemptsSoFar();

    await proxy.restore();
    const url = await child.listening;

    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'up', databaseKind: 'postgres' });
    expect(child.tail(1_000)).toMatch(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${proxy.port} is reachable \\(after \\d+ attempts\\)`));
    expect(child.tail(1_000)).not.toContain(PASSWORD);
    process.stdout.write(`[startup:postgres] ready after a ${OUTAGE_MS} ms outage; ${attemptsDuringOutage} attempts logged while waiting\n`);

    expect(await child.stop('SIGTERM')).toBe(0);
  }, 90_000);

  it('fails at once, naming PostgreSQL, when the server refuses (here: no such database), without waiting', async () => {
    const missing = new URL(scratch.url);
    missing.pathname = '/refinery_no_such_database';
    const child = spawn('missing-database', missing.toString(), 120_000);

    expect(await child.ended()).toBe(1);
    expect(child.tail()).toContain(
      `Refinery failed to start: PostgreSQL at ${target.host}:${target.port}: database "refinery_no_such_database" does not exist`,
    );
    expect(child.tail()).not.toContain('waiting for PostgreSQL');
  }, 60_000);

  it('exits non-zero naming PostgreSQL and its address when it stays unreachable past STARTUP_TIMEOUT_MS', async () => {
    const proxy = await unreachableProxy();
    const child = spawn('postgres-never-back', withPassword(proxy.rewrite(scratch.url)), 2_000);

    expect(await child.ended()).toBe(1);
    expect(child.tail()).toMatch(
      new RegExp(
        `Refinery failed to start: PostgreSQL at 127\\.0\\.0\\.1:${proxy.port} is unreachable: gave up after \\d+ attempts in \\d+ ms \\(STARTUP_TIMEOUT_MS\\); last error: connect ECONNREFUSED`,
      ),
    );
    expect(child.tail()).not.toContain(PASSWORD);
  }, 60_000);
});
