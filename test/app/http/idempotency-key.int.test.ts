import { Client } from 'pg';
import type { Application } from '../../../src/app/container';
import { Api, type TaskView } from '../../support/api';
import { bearer, startTestApp } from '../../support/app';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres';
import { TcpProxy } from '../../support/tcp-proxy';
import { runRefineryAs } from '../cli/support/run-cli';
import { COMPLETE_ANSWER, notificationFor } from '../../support/refinement-scenario';

const OTHER_TASK_ID = '00000000-0000-4000-8000-000000000001';

/** An answer as the client gets it: status and body text byte for byte. */
interface Raw {
  readonly status: number;
  readonly body: string;
  readonly replayed: string | undefined;
}

describe('Idempotency-Key on the /api POSTs that create or decide (real PostgreSQL)', () => {
  let scratch: ScratchDatabase;
  let app: Application;
  let api: Api;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    // A short wait, so the "still in progress" answer comes quickly in its test.
    app = await startTestApp({ databaseUrl: scratch.url, env: { IDEMPOTENCY_KEY_WAIT_MS: '500' } });
    api = new Api(app);
  });

  afterAll(async () => {
    await app?.stop();
    await scratch?.drop();
  });

  async function post(user: string, url: string, payload: object, key?: string): Promise<Raw> {
    const response = await app.http.inject({
      method: 'POST',
      url,
      headers: { ...bearer(user), ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload,
    });
    const replayed = response.headers['idempotent-replayed'];
    return { status: response.statusCode, body: response.body, replayed: typeof replayed === 'string' ? replayed : undefined };
  }

  const taskIdOf = (answer: Raw) => (JSON.parse(answer.body) as { taskId: string }).taskId;
  const taskCount = async (user: string) => (await api.get<{ tasks: unknown[] }>(user, '/api/tasks')).body.tasks.length;
  const request = (title: string) => ({ title, description: COMPLETE_ANSWER, priority: 'high' });

  it('runs a submit once: two concurrent requests and a later retry with one key get the same answer and make one task', async () => {
    const before = await taskCount('alice');
    const key = 'submit-8e03978e-40d5-43e8-bc93-6894a57f9324';
    const [first, second] = await Promise.all([
      post('alice', '/api/tasks', request('Backlog trends'), key),
      post('alice', '/api/tasks', request('Backlog trends'), key),
    ]);
    const retry = await post('alice', '/api/tasks', request('Backlog trends'), key);

    expect(first.status).toBe(202);
    expect(JSON.parse(first.body)).toEqual(expect.objectContaining({ taskId: expect.any(String), status: 'NEW' }));
    expect(second).toEqual(expect.objectContaining({ status: first.status, body: first.body }));
    expect(retry).toEqual({ status: first.status, body: first.body, replayed: 'true' });
    // Exactly one of the concurrent pair did the work; the other waited and got its answer.
    expect([first.replayed, second.replayed].sort()).toEqual(['true', undefined]);
    expect(await taskCount('alice')).toBe(before + 1);
  });

  it('refuses the key with a different body (422 naming the header), and gives another user with the same key a task of their own', async () => {
    const key = 'shared-key-1';
    const alices = await post('alice', '/api/tasks', request('Export to CSV'), key);
    expect(alices.status).toBe(202);
    const aliceTasks = await taskCount('alice');

    const different = await post('alice', '/api/tasks', request('Export to PDF'), key);
    expect(different.status).toBe(422);
    expect(JSON.parse(different.body)).toEqual({ error: 'idempotency_key_reused', message: expect.stringContaining('Idempotency-Key') });
    expect(await taskCount('alice')).toBe(aliceTasks);

    const carolsBefore = await taskCount('carol');
    const carols = await post('carol', '/api/tasks', request('Export to CSV'), key);
    expect(carols.status).toBe(202);
    expect(carols.replayed).toBeUndefined();
    expect(taskIdOf(carols)).not.toBe(taskIdOf(alices));
    expect(await taskCount('carol')).toBe(carolsBefore + 1);
  });

  it('answers 400 naming the header for an empty or over-long key, and creates nothing', async () => {
    const before = await taskCount('alice');
    for (const key of ['', ' ', 'k'.repeat(256)]) {
      const refused = await post('alice', '/api/tasks', request('Bad key'), key);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toEqual({ error: 'invalid_request', issues: [{ field: 'Idempotency-Key', message: expect.any(String) }] });
    }
    expect((await post('alice', '/api/tasks', request('Longest key'), 'k'.repeat(255))).status).toBe(202);
    expect(await taskCount('alice')).toBe(before + 1);
  });

  it('records nothing for a request that failed: the same key then does the corrected request', async () => {
    const before = await taskCount('alice');
    const invalid = await post('alice', '/api/tasks', { title: '', description: 'x' }, 'fix-and-retry');
    expect(invalid.status).toBe(400);
    const fixed = await post('alice', '/api/tasks', request('Fixed request'), 'fix-and-retry');
    expect(fixed.status).toBe(202);
    expect(fixed.replayed).toBeUndefined();
    expect(await taskCount('alice')).toBe(before + 1);
  });

  it('decides a PRD once: a repeated approve with its key gets the first 202 where a repeat without one is refused', async () => {
    const submitted = await post('alice', '/api/tasks', request('Approve me once'));
    const taskId = taskIdOf(submitted);
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const prdVersion = (await api.get<TaskView>('bob', `/api/tasks/${taskId}`)).body.task.prdVersion ?? 0;

    const first = await post('bob', `/api/tasks/${taskId}/approve`, { prdVersion }, 'approve-once');
    const again = await post('bob', `/api/tasks/${taskId}/approve`, { prdVersion }, 'approve-once');
    expect(first.status).toBe(202);
    expect(again).toEqual({ status: 202, body: first.body, replayed: 'true' });
    expect((await post('bob', `/api/tasks/${taskId}/approve`, { prdVersion })).status).toBe(409);
    // The same key on another task's approve is a different request.
    expect((await post('bob', `/api/tasks/${OTHER_TASK_ID}/approve`, { prdVersion }, 'approve-once')).status).toBe(422);
  });

  it('answers 409 with Retry-After while another request holds the key past the wait, and runs the request once that one is gone', async () => {
    // Another process's request in flight: its transaction holds the key's row.
    const other = new Client({ connectionString: scratch.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO messaging.idempotency_keys (user_id, route, idempotency_key, request_hash, created_at, expires_at) VALUES ('alice', 'POST /api/tasks', 'held', 'x', now(), now() + interval '1 hour')`,
      );
      const before = await taskCount('alice');
      const busy = await app.http.inject({
        method: 'POST',
        url: '/api/tasks',
        headers: { ...bearer('alice'), 'idempotency-key': 'held' },
        payload: request('Held'),
      });
      expect(busy.statusCode).toBe(409);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json()).toEqual({ error: 'idempotency_key_in_progress', message: expect.stringContaining('Idempotency-Key') });
      expect(await taskCount('alice')).toBe(before);

      // That request failed (rolled back): nothing was recorded, so the retry does the work.
      await other.query('ROLLBACK');
      expect((await post('alice', '/api/tasks', request('Held'), 'held')).status).toBe(202);
      expect(await taskCount('alice')).toBe(before + 1);
    } finally {
      await other.end();
    }
  });
});

/**
 * The keys across a database outage: the service's connections go through a TCP proxy the test
 * cuts (open connections reset, new ones refused). What a client sees: 503 while it lasts, nothing
 * recorded, and the same key afterwards does the work once; the CLI rides the outage out.
 */
describe('Idempotency-Key across a database outage', () => {
  let scratch: ScratchDatabase;
  let proxy: TcpProxy;
  let app: Application;
  let api: Api;
  let url: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const target = new URL(scratch.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    app = await startTestApp({ databaseUrl: proxy.rewrite(scratch.url), env: { PORT: '0' } });
    url = await app.listen();
    api = new Api(app);
  }, 90_000);

  afterAll(async () => {
    await proxy?.restore();
    await app?.stop();
    await proxy?.close();
    await scratch?.drop();
  });

  const titled = async (title: string) =>
    (await api.get<{ tasks: Array<{ title: string }> }>('alice', '/api/tasks')).body.tasks.filter((t) => t.title === title);
  const submitWithKey = (title: string, key: string) =>
    app.http.inject({
      method: 'POST',
      url: '/api/tasks',
      headers: { ...bearer('alice'), 'idempotency-key': key },
      payload: { title, description: COMPLETE_ANSWER },
    });

  it('answers 503 during the cut and records nothing; the same key afterwards creates the task once', async () => {
    await proxy.cut();
    const during = await submitWithKey('Submitted in an outage', 'outage-key');
    await proxy.restore();
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toEqual(expect.any(String));

    const after = await submitWithKey('Submitted in an outage', 'outage-key');
    const again = await submitWithKey('Submitted in an outage', 'outage-key');
    expect(after.statusCode).toBe(202);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect([again.statusCode, again.body, again.headers['idempotent-replayed']]).toEqual([202, after.body, 'true']);
    expect(await titled('Submitted in an outage')).toHaveLength(1);
  });

  it('lets the CLI ride out the outage: its retries with one key end in one task once the database is back', async () => {
    await proxy.cut();
    const statuses: number[] = [];
    const keys = new Set<string>();
    // Restores the database once the CLI has been told 503: its next retry goes through.
    const watching: typeof fetch = async (input, init) => {
      const key = new Headers(init?.headers).get('idempotency-key');
      if (key) keys.add(key);
      const response = await fetch(input, init);
      if (init?.method === 'POST') {
        statuses.push(response.status);
        if (response.status === 503) await proxy.restore();
      }
      return response;
    };
    const run = await runRefineryAs(url, 'alice', ['submit', '--title', 'CLI through an outage', '--description', COMPLETE_ANSWER], undefined, watching);
    expect(run.code).toBe(0);
    expect(statuses).toEqual([503, 202]);
    expect(keys.size).toBe(1);
    expect(await titled('CLI through an outage')).toHaveLength(1);
  });
});
