import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { Application } from '../../../src/app/container';
import { registerWorkersRoutes } from '../../../src/app/http/workers.routes';
import { silentLogger } from '../../../src/shared/logging/logger';
import { WorkCounter } from '../../../src/shared/workers/work-counter';
import { WorkerRegistry } from '../../../src/shared/workers/worker-registry';
import { bearer, startTestApp, TEST_USERS } from '../../support/app';
import { eventually } from '../../support/eventually';
import { UNAUTHORIZED } from '../../support/unauthorized';

interface Listed {
  id: string;
  contexts: string[];
  host: string;
  pid: number;
  version: string;
  status: string;
  startedAt: string;
  lastHeartbeatAt: string;
  heartbeatAgeMs: number;
  leaseMs: number;
  inFlight: number;
  handled: number;
  goneAt: string | null;
  releasedContexts: string[];
}

/** GET /api/admin/workers on the whole service (PGlite, in-memory queue), which registers itself. */
describe('GET /api/admin/workers', () => {
  let app: Application;

  const list = async (headers: Record<string, string> = bearer('root')) => {
    const response = await app.http.inject({ method: 'GET', url: '/api/admin/workers', headers });
    return { status: response.statusCode, body: JSON.parse(response.body) as { workers?: Listed[]; error?: string } };
  };

  beforeAll(async () => {
    app = await startTestApp({ env: { WORKER_HEARTBEAT_MS: '100', WORKER_LEASE_MS: '400' } });
  }, 90_000);
  afterAll(() => app?.stop());

  it('answers 401 without a known token and 403 for anyone but an admin', async () => {
    expect(await list({})).toEqual({ status: 401, body: UNAUTHORIZED });
    expect((await list({ authorization: 'Bearer nobody-has-this' })).status).toBe(401);
    expect(await list(bearer('alice'))).toEqual({ status: 403, body: { error: 'forbidden', message: 'the worker registry needs the admin role' } });
    expect((await list(bearer('bob'))).status).toBe(403);
  });

  it('lists this process: its id, contexts, host, pid, version, heartbeat and counts', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    const self = body.workers?.find((w) => w.id === app.workers.id);
    expect(self).toEqual({
      id: expect.stringMatching(new RegExp(`^${hostname()}/${process.pid}/[0-9a-f]{8}$`)),
      contexts: ['task-management', 'orchestration', 'product-definition', 'human-interaction'],
      host: hostname(),
      pid: process.pid,
      version: (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version,
      status: 'live',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      lastHeartbeatAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      heartbeatAgeMs: expect.any(Number),
      leaseMs: 400,
      inFlight: expect.any(Number),
      handled: expect.any(Number),
      goneAt: null,
      releasedContexts: [],
    });
    expect(self?.heartbeatAgeMs).toBeLessThan(400);
  });

  it('shows another instance that stopped heartbeating as gone, with its leases released for the contexts this process runs', async () => {
    const other = new WorkerRegistry(
      { contexts: ['product-definition'], heartbeatMs: 100, leaseMs: 400 },
      {
        dataSource: app.database.dataSource,
        logger: silentLogger(),
        instance: { id: 'elsewhere/4242/0badc0de', host: 'elsewhere', pid: 4242, version: '0.0.9' },
        load: () => new WorkCounter(),
        releasers: [],
      },
    );
    await other.start();
    expect((await list()).body.workers?.find((w) => w.id === 'elsewhere/4242/0badc0de')?.status).toBe('live');
    await other.loop.stop(); // it dies without deregistering

    const gone = await eventually(
      async () => {
        const found = (await list()).body.workers?.find((w) => w.id === 'elsewhere/4242/0badc0de');
        expect(found).toMatchObject({ status: 'gone', releasedContexts: ['product-definition'] });
        return found;
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(gone).toMatchObject({ host: 'elsewhere', pid: 4242, version: '0.0.9', goneAt: expect.any(String) });
    expect(gone?.heartbeatAgeMs).toBeGreaterThanOrEqual(400);
    // Live ones first.
    expect((await list()).body.workers?.map((w) => w.status)).toEqual(['live', 'gone']);
  });
});

describe('GET /api/admin/workers without its database', () => {
  it('answers 503 naming the database', async () => {
    const http = Fastify();
    const root = TEST_USERS.find((u) => u.id === 'root');
    registerWorkersRoutes(http, {
      workers: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      authenticate: async (token) => (token === root?.token ? { id: 'root', roles: ['admin'] } : undefined),
    });
    const response = await http.inject({ method: 'GET', url: '/api/admin/workers', headers: bearer('root') });
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ error: 'unavailable', message: 'the database is unavailable: connect ECONNREFUSED 127.0.0.1:5432' });
    await http.close();
  });
});
