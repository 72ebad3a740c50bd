import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../src/shared/persistence/data-source';
import { TEST_LINK_SECRET, TEST_USERS } from '../support/app';
import { eventually } from '../support/eventually';
import { ADMIN_DATABASE_URL, createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';
import { WarningWatch } from './support/warnings';

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
  const warnings = WarningWatch.start();

  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await scratch.drop();
    warnings.stop();
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

  it('waits while PostgreSQL answers 57P03 "the database system is starting up", and connects once it accepts sessions', async () => {
    const starting = await StartingUpPostgres.start(target, 2);
    const lines: string[] = [];
    const log = { warn: (_fields: unknown, message: string) => lines.push(message), info: (_fields: unknown, message: string) => lines.push(message) };
    const url = new URL(scratch.url);
    url.port = String(starting.port);

    try {
      const database = await openDatabase({ url: url.toString(), entities: [], startupTimeoutMs: 60_000, log });
      try {
        expect(await database.dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await database.close();
      }
      expect(lines.filter((line) => line.startsWith(`waiting for PostgreSQL at 127.0.0.1:${starting.port} (attempt `))).toHaveLength(2);
      expect(lines.at(-1)).toBe(`PostgreSQL at 127.0.0.1:${starting.port} is reachable (after 3 attempts)`);
    } finally {
      await starting.close();
    }
  });

  it('printed no MaxListenersExceededWarning, here or in any child process, through the waits above', () => {
    expect(warnings.maxListenerWarnings(...children.map((child) => child.tail(Number.MAX_SAFE_INTEGER)))).toEqual([]);
  });
});

/**
 * A PostgreSQL that is still starting up, as a client sees it: the first `refusals` connections
 * get the server's FATAL 57P03 ErrorResponse to their startup message; later ones are passed to
 * the real server.
 */
class StartingUpPostgres {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, refusals: number): Promise<StartingUpPostgres> {
    const sockets = new Set<Socket>();
    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    };
    let connections = 0;
    const server = createServer((client) => {
      connections += 1;
      track(client);
      if (connections <= refusals) {
        client.once('data', () => client.end(startingUpError()));
        return;
      }
      const upstream = connect(target.port, target.host);
      track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new StartingUpPostgres(server, sockets, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An ErrorResponse message ('E', length, fields, terminator) as PostgreSQL sends it while it starts. */
function startingUpError(): Buffer {
  const field = (type: string, value: string) => Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(value, 'utf8'), Buffer.from([0])]);
  const body = Buffer.concat([
    field('S', 'FATAL'),
    field('V', 'FATAL'),
    field('C', '57P03'),
    field('M', 'the database system is starting up'),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from('E', 'ascii'), length, body]);
}
