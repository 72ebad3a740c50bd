import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import type { Application } from '../../../src/app/container';
import { registerAdminRoutes } from '../../../src/app/http/admin.routes';
import { configuredTokensAuthenticator } from '../../../src/app/http/bearer-authenticator';
import { RetryableError } from '../../../src/shared/kernel/errors';
import type { DeadLetter, DeadLetterAdmin } from '../../../src/shared/messaging/message-queue';
import { bearer, startTestApp, TEST_USERS } from '../../support/app';
import { COMMANDS, deadLetterAnApproval, deadLetterAnInvalidCancel, deadLetteredAgain } from '../support/dead-letter-fixtures';
import { UNAUTHORIZED } from '../../support/unauthorized';

interface Issues {
  error: string;
  issues: Array<{ field: string; message: string }>;
}

describe('the admin dead-letter API', () => {
  let app: Application;
  beforeAll(async () => {
    app = await startTestApp();
  }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
  afterAll(() => app?.stop());
  beforeEach(() => app.queue.purgeDeadLetters(COMMANDS));

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the body's shape
  const call = async <T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = bearer('root'),
  ) => {
    const response = await app.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: JSON.parse(response.body) as T };
  };
  const list = async () => (await call<{ deadLetters: DeadLetter[] }>('GET', `/admin/dead-letters?consumer=${COMMANDS}`)).body.deadLetters;

  it('lists a dead letter with why it failed, and shows it alone', async () => {
    const dead = await deadLetterAnApproval(app);
    const taskId = (dead.message as { payload: { taskId: string } }).payload.taskId;

    const all = await call<{ deadLetters: DeadLetter[] }>('GET', '/admin/dead-letters');
    expect(all.status).toBe(200);
    expect(all.body.deadLetters).toEqual([
      expect.objectContaining({
        id: dead.id,
        consumer: COMMANDS,
        messageType: 'task-management.approve-prd.v1',
        errorClass: 'TaskNotFound',
        errorMessage: `task ${taskId} does not exist`,
        attempts: 1,
      }),
    ]);
    expect((await call<{ deadLetters: DeadLetter[] }>('GET', '/admin/dead-letters?consumer=orchestration.task-projection')).body.deadLetters).toEqual([]);

    const shown = await call<{ deadLetter: DeadLetter }>('GET', `/admin/dead-letters/${COMMANDS}/${dead.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.deadLetter).toEqual(
      expect.objectContaining({
        id: dead.id,
        errorClass: 'TaskNotFound',
        message: expect.objectContaining({ payload: { taskId, userId: 'bob', prdVersion: 1 } }),
      }),
    );
    expect((await call('GET', `/admin/dead-letters/${COMMANDS}/no-such-id`)).status).toBe(404);
    expect((await call('GET', `/admin/dead-letters/orchestration.task-projection/${dead.id}`)).status).toBe(404);
  });

  it('names the reason when a message broke its contract', async () => {
    const dead = await deadLetterAnInvalidCancel(app);
    const [listed] = await list();
    expect(listed).toEqual(expect.objectContaining({ id: dead.id, messageType: 'task-management.cancel-task.v1', errorClass: 'InvalidMessageError' }));
    expect(listed?.errorMessage).toContain('userId');
  });

  it('replays a dead letter onto its queue: refused again, it is dead once more, not twice', async () => {
    const dead = await deadLetterAnApproval(app);
    const replayed = await call<{ replayed: number }>('POST', `/admin/dead-letters/${COMMANDS}/replay`, { id: dead.id });
    expect(replayed).toEqual({ status: 200, body: { replayed: 1 } });
    const again = await deadLetteredAgain(app, dead);
    expect(again.attempts).toBe(1);
    expect(await list()).toEqual([expect.objectContaining({ id: again.id, errorClass: 'TaskNotFound' })]);
  });

  it('replays and purges only what the selector names', async () => {
    const approval = await deadLetterAnApproval(app);
    const invalid = await deadLetterAnInvalidCancel(app);
    expect((await call('POST', `/admin/dead-letters/${COMMANDS}/replay`, { type: 'task-management.approve-prd.v1' })).body).toEqual({ replayed: 1 });
    const again = await deadLetteredAgain(app, approval);

    expect((await call('DELETE', `/admin/dead-letters/${COMMANDS}?id=${invalid.id}`)).body).toEqual({ purged: 1 });
    expect((await list()).map((d) => d.id)).toEqual([again.id]);
    expect((await call('DELETE', `/admin/dead-letters/${COMMANDS}?type=task-management.cancel-task.v1`)).body).toEqual({ purged: 0 });
    expect((await call('DELETE', `/admin/dead-letters/${COMMANDS}?type=task-management.approve-prd.v1`)).body).toEqual({ purged: 1 });
    expect(await list()).toEqual([]);
  });

  it('answers 400 naming the field of a bad selector, and changes nothing', async () => {
    const dead = await deadLetterAnApproval(app);
    const cases: Array<[ReturnType<typeof call<Issues>>, string]> = [
      [call<Issues>('DELETE', `/admin/dead-letters/${COMMANDS}?typ=task-management.approve-prd.v1`), 'typ'],
      [call<Issues>('DELETE', `/admin/dead-letters/${COMMANDS}?id=`), 'id'],
      [call<Issues>('DELETE', `/admin/dead-letters/${COMMANDS}?id=a&id=b`), 'id'],
      [call<Issues>('POST', `/admin/dead-letters/${COMMANDS}/replay`, { ids: [dead.id] }), 'ids'],
      [call<Issues>('POST', `/admin/dead-letters/${COMMANDS}/replay`, { type: 7 }), 'type'],
      [call<Issues>('GET', '/admin/dead-letters?consumr=x'), 'consumr'],
    ];
    for (const [pending, field] of cases) {
      const { status, body } = await pending;
      expect({ status, error: body.error, fields: body.issues.map((i) => i.field) }).toEqual({ status: 400, error: 'invalid_request', fields: [field] });
    }
    expect((await list()).map((d) => d.id)).toEqual([dead.id]);
  });

  it.each([
    ['GET', '/admin/dead-letters'],
    ['GET', `/admin/dead-letters/${COMMANDS}/some-id`],
    ['POST', `/admin/dead-letters/${COMMANDS}/replay`],
    ['DELETE', `/admin/dead-letters/${COMMANDS}`],
  ] as const)('%s %s answers 401 without a (known) token and 403 to a non-admin', async (method, url) => {
    await deadLetterAnApproval(app);
    expect(await call(method, url, method === 'POST' ? {} : undefined, {})).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await call(method, url, method === 'POST' ? {} : undefined, { authorization: 'Bearer not-a-token-anyone-has' })).toEqual({
      status: 401,
      body: UNAUTHORIZED,
    });
    expect(await call(method, url, method === 'POST' ? {} : undefined, bearer('alice'))).toEqual({ status: 403, body: { error: 'forbidden' } });
    expect(await call(method, url, method === 'POST' ? {} : undefined, bearer('bob'))).toEqual({ status: 403, body: { error: 'forbidden' } });
    expect(await list()).toHaveLength(1);
  });

  it('accepts an admin token issued at run time, and refuses it once revoked', async () => {
    const issued = await call<{ id: string; token: string }>('POST', '/api/admin/tokens', { userId: 'root', label: 'operator laptop' });
    expect(issued.status).toBe(201);
    const asIssued = { authorization: `Bearer ${issued.body.token}` };
    expect((await call('GET', '/admin/dead-letters', undefined, asIssued)).status).toBe(200);
    expect((await call('DELETE', `/api/admin/tokens/${issued.body.id}`)).status).toBe(200);
    expect(await call('GET', '/admin/dead-letters', undefined, asIssued)).toEqual({ status: 401, body: UNAUTHORIZED });
  });
});

describe('the admin dead-letter API when the transport fails', () => {
  const failing = (error: Error): DeadLetterAdmin => ({
    listDeadLetters: () => Promise.reject(error),
    replayDeadLetters: () => Promise.reject(error),
    purgeDeadLetters: () => Promise.reject(error),
  });

  it.each<[string, Error, number, string]>([
    ['a broker that is down', new RetryableError('RabbitMQ is not connected'), 503, 'unavailable'],
    ['any other failure', new Error('channel closed'), 500, 'internal_error'],
  ])('answers %s with %i and the reason', async (_case, error, status, code) => {
    const http = Fastify();
    registerAdminRoutes(http, { deadLetters: failing(error), authenticate: configuredTokensAuthenticator(TEST_USERS) });
    try {
      const response = await http.inject({ method: 'GET', url: '/admin/dead-letters', headers: bearer('root') });
      expect({ status: response.statusCode, body: JSON.parse(response.body) as unknown }).toEqual({ status, body: { error: code, message: error.message } });
    } finally {
      await http.close();
    }
  });
});

describe('the admin dead-letter API in a process without human interaction', () => {
  const none: DeadLetterAdmin = { listDeadLetters: async () => [], replayDeadLetters: async () => 0, purgeDeadLetters: async () => 0 };

  it('knows the configured tokens, also one configured only as its sha256', async () => {
    const sha256 = createHash('sha256').update('ops-secret-token').digest('hex');
    const http = Fastify();
    registerAdminRoutes(http, {
      deadLetters: none,
      authenticate: configuredTokensAuthenticator([
        { id: 'ops', name: 'ops', roles: ['admin'], tokenSha256: sha256 },
        { id: 'ann', name: 'ann', roles: ['requester'], token: 'ann-secret-token' },
      ]),
    });
    const status = async (token: string) =>
      (await http.inject({ method: 'GET', url: '/admin/dead-letters', headers: { authorization: `Bearer ${token}` } })).statusCode;
    try {
      expect(await status('ops-secret-token')).toBe(200);
      expect(await status(sha256)).toBe(401);
      expect(await status('ann-secret-token')).toBe(403);
      expect(await status('rfy_not-issued-here')).toBe(401);
    } finally {
      await http.close();
    }
  });
});
