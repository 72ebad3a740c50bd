import { createHash } from 'node:crypto';
import { configSchema, loadConfig } from '../../../../../src/app/config';
import { Application } from '../../../../../src/app/container';
import { assertIsApprover, type TaskView } from '../../../../../src/contexts/human-interaction/domain/task-view';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { bearer, startTestApp, TEST_LINK_SECRET } from '../../../../support/app';
import { openTestDatabase } from '../../../../support/database';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER } from '../../../../support/refinement-scenario';
import { routesOf } from '../../../../support/routes';
import { UNAUTHORIZED } from '../../../../support/unauthorized';

type Headers = Record<string, string>;
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: globalThis.Headers;
}

/** Real HTTP, as a client on another machine would call the service. */
function client(base: string) {
  return async (method: string, path: string, headers: Headers = {}, body?: unknown): Promise<Answer> => {
    const raw = typeof body === 'string';
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text, headers: response.headers };
  };
}

const as = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('API security, over HTTP', () => {
  let app: Application;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0', BODY_LIMIT_BYTES: '2048' } });
    call = client(await app.listen());
  }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
  afterAll(() => app?.stop());

  const submit = async (description: string) => {
    const submitted = await call('POST', '/api/tasks', bearer('alice'), { title: 'Backlog trends', description });
    expect(submitted.status).toBe(202);
    return String(submitted.body['taskId']);
  };
  const statusOf = (taskId: string, status: string) =>
    eventually(async () => expect((await call('GET', `/api/tasks/${taskId}`, bearer('alice'))).body['task']).toEqual(expect.objectContaining({ status })), {
      timeoutMs: 20_000,
    });

  it('answers 401 on every /api route without a token, or with one nobody has', async () => {
    const routes = routesOf(app.http, '/api/');
    expect(routes.length).toBeGreaterThanOrEqual(11);
    for (const { method, url } of routes) {
      const path = url.replace(/:\w+/g, 'some-id');
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      for (const headers of [{}, as('not-a-token-anyone-has'), as('rfy_not-issued'), { authorization: 'Basic YWxpY2U6eA==' }]) {
        const answer = await call(method, path, headers, body);
        expect({ method, path, headers, status: answer.status, body: answer.body }).toEqual({
          method,
          path,
          headers,
          status: 401,
          body: UNAUTHORIZED,
        });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it("lets no other requester read, answer or cancel alice's task (403), and lists it only to those involved", async () => {
    const taskId = await submit('Make the dashboard better.');
    await statusOf(taskId, 'CLARIFICATION_NEEDED');
    const questions = ((await call('GET', `/api/tasks/${taskId}`, bearer('alice'))).body['clarifications'] as Array<{ question: string }>).map(
      (c) => c.question,
    );
    // Short answers: this app's body limit is small (2 KiB), for the 413 case below.
    const answers = { answers: questions.map((question) => ({ question, answer: 'Support team leads, to spot a rising backlog.' })) };

    expect(await call('GET', `/api/tasks/${taskId}`, bearer('carol'))).toEqual(
      expect.objectContaining({ status: 403, body: expect.objectContaining({ error: 'forbidden' }) }),
    );
    expect((await call('POST', `/api/tasks/${taskId}/answers`, bearer('carol'), answers)).status).toBe(403);
    expect((await call('POST', `/api/tasks/${taskId}/cancel`, bearer('carol'), {})).status).toBe(403);
    expect((await call('GET', '/api/tasks', bearer('carol'))).body['tasks']).not.toContainEqual(expect.objectContaining({ taskId }));
    // The approver answers no questions either: only the requester does.
    expect((await call('POST', `/api/tasks/${taskId}/answers`, bearer('bob'), answers)).status).toBe(403);

    // The very same answers from alice are taken: the refusals were about who asked.
    expect((await call('POST', `/api/tasks/${taskId}/answers`, bearer('alice'), answers)).status).toBe(202);
  }, 60_000);

  it('lets only the approver decide on a PRD: the requester approving or rejecting gets 403', async () => {
    const taskId = await submit(COMPLETE_ANSWER);
    await statusOf(taskId, 'PRD_VALIDATION');
    for (const user of ['alice', 'carol']) {
      expect((await call('POST', `/api/tasks/${taskId}/approve`, bearer(user), { prdVersion: 1 })).status).toBe(403);
      expect((await call('POST', `/api/tasks/${taskId}/reject`, bearer(user), { prdVersion: 1, feedback: 'Not like this.' })).status).toBe(403);
    }
    expect((await call('POST', `/api/tasks/${taskId}/approve`, bearer('bob'), { prdVersion: 1 })).status).toBe(202);
    await statusOf(taskId, 'APPROVED');
  }, 60_000);

  it("refuses a decision from the task's approver once the approver role is taken away", () => {
    const view = { taskId: 't-1', requesterId: 'alice', approverId: 'bob', status: 'PRD_VALIDATION' } as TaskView;
    expect(() => assertIsApprover(view, { id: 'bob', name: 'Bob', roles: ['approver'] })).not.toThrow();
    expect(() => assertIsApprover(view, { id: 'bob', name: 'Bob', roles: ['requester'] })).toThrow(/approver role/);
  });

  it('keeps admin operations to admins: 401 without a token, 403 for a requester or an approver', async () => {
    const adminCalls: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/tokens'],
      ['POST', '/api/admin/tokens', { userId: 'alice', label: 'mine' }],
      ['DELETE', '/api/admin/tokens/some-id'],
      ['GET', '/admin/dead-letters'],
      ['POST', '/admin/dead-letters/task-management.commands/replay', {}],
      ['DELETE', '/admin/dead-letters/task-management.commands'],
    ];
    for (const [method, path, body] of adminCalls) {
      expect({ method, path, status: (await call(method, path, {}, body)).status }).toEqual({ method, path, status: 401 });
      for (const user of ['alice', 'bob'])
        expect({ method, path, user, status: (await call(method, path, bearer(user), body)).status }).toEqual({ method, path, user, status: 403 });
    }
    expect((await call('GET', '/api/admin/tokens', bearer('root'))).body['tokens']).toEqual([]);
  });

  it('issues a token that works as its person, stores only its sha256, and refuses it (401) from the moment it is revoked', async () => {
    const issued = await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice', label: "alice's CI job" });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const { id, token } = issued.body as { id: string; token: string };
    expect(token).toMatch(/^rfy_[A-Za-z0-9_-]{43}$/);

    const mine = await call('GET', '/api/tasks', as(token));
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual((await call('GET', '/api/tasks', bearer('alice'))).body);
    expect((await call('GET', '/api/admin/tokens', as(token))).status).toBe(403); // alice's roles, not more

    const listed = await call('GET', '/api/admin/tokens', bearer('root'));
    expect(listed.body['tokens']).toContainEqual({
      id,
      userId: 'alice',
      label: "alice's CI job",
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(sha256Hex(token));
    const stored: unknown[] = await app.database.dataSource.query('SELECT * FROM human_interaction.api_tokens WHERE id = $1', [id]);
    expect(stored).toEqual([expect.objectContaining({ token_sha256: sha256Hex(token) })]);
    expect(JSON.stringify(stored)).not.toContain(token);

    const revoked = await call('DELETE', `/api/admin/tokens/${id}`, bearer('root'));
    expect(revoked).toEqual(expect.objectContaining({ status: 200, body: { token: expect.objectContaining({ id, revokedAt: expect.any(String) }) } }));
    expect(await call('GET', '/api/tasks', as(token))).toEqual(expect.objectContaining({ status: 401, body: UNAUTHORIZED }));
    expect((await call('DELETE', '/api/admin/tokens/no-such-token', bearer('root'))).status).toBe(404);
  });

  it('issues tokens only for configured people, naming the field otherwise', async () => {
    const refused = await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'mallory', label: 'x' });
    expect(refused).toEqual(
      expect.objectContaining({ status: 400, body: { error: 'invalid_request', issues: [{ field: 'userId', message: 'mallory is not a configured user' }] } }),
    );
    const unlabelled = await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice' });
    expect(unlabelled.status).toBe(400);
    expect(unlabelled.body['issues']).toEqual([expect.objectContaining({ field: 'label' })]);
  });

  it('answers 413 with a JSON error to a body above BODY_LIMIT_BYTES, and creates nothing', async () => {
    const before = (await call('GET', '/api/tasks', bearer('alice'))).body['tasks'] as unknown[];
    const oversized = await call('POST', '/api/tasks', bearer('alice'), { title: 'Huge', description: 'x'.repeat(4_096) });
    expect(oversized.status).toBe(413);
    expect(oversized.headers.get('content-type')).toMatch(/^application\/json/);
    expect(oversized.body).toEqual({ error: 'invalid_request', issues: [{ field: 'body', message: expect.stringMatching(/too large/i) }] });
    expect((await call('GET', '/api/tasks', bearer('alice'))).body['tasks']).toEqual(before);
  });
});

describe('a token configured only as its sha256 (REFINERY_USERS id:roles:sha256:<hex>)', () => {
  const token = 'dana-token-known-only-to-dana';
  let app: Application;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    const users =
      loadConfig({ REFINERY_USERS: `dana:requester:sha256:${sha256Hex(token)},omar:approver+admin:omar-plain-token-0123456789abcdefghij` }).REFINERY_USERS ??
      [];
    const config = configSchema.parse({ LOG_LEVEL: 'silent', PORT: '0', LINK_SECRET: TEST_LINK_SECRET });
    app = await Application.create({ config, users, logger: silentLogger(), database: await openTestDatabase() });
    call = client(await app.listen());
  }, 90_000);
  afterAll(() => app?.stop());

  it('lets the person in with the token, never with the hash', async () => {
    expect(await call('GET', '/api/tasks', as(token))).toEqual(expect.objectContaining({ status: 200, body: { tasks: [] } }));
    expect((await call('GET', '/api/tasks', as(sha256Hex(token)))).status).toBe(401);
    expect((await call('GET', '/api/tasks', as(`sha256:${sha256Hex(token)}`))).status).toBe(401);
    expect((await call('GET', '/admin/dead-letters', as('omar-plain-token-0123456789abcdefghij'))).status).toBe(200);
    expect((await call('GET', '/admin/dead-letters', as(token))).status).toBe(403);
  });
});
