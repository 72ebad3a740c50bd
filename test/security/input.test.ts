import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import type { Application } from '../../src/app/container';
import { adminApiPaths } from '../../src/app/http/admin.api-description';
import { workersApiPaths } from '../../src/app/http/workers.routes';
import { humanInteractionApiPaths } from '../../src/contexts/human-interaction/human-interaction.module';
import { NUL_PROBLEM, SURROGATE_PROBLEM } from '../../src/shared/kernel/text';
import { Api } from '../support/api';
import { bearer, startTestApp } from '../support/app';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';
import { BrowserLike, pathOf } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { mergedInto, type Segment, textLeaves } from '../support/text-fields';

/**
 * NUL and a lone UTF-16 surrogate in every text field of every route: a 400 naming the field,
 * never a 500 from PostgreSQL. The fields are read from the zod schemas of the OpenAPI
 * description (the same schemas the routes parse with; docs.routes.test.ts checks that every
 * route is described), so a text field added to a route is tried here without a change.
 */

type Where = 'path' | 'query' | 'body';

interface TextField {
  readonly method: string;
  readonly path: string;
  readonly where: Where;
  readonly at: readonly Segment[];
  /** The bad text in the field alone (with what is needed to reach it), to merge into a valid request. */
  readonly input: unknown;
}

/** Every path of the OpenAPI document, as docs.routes.ts puts it together. */
const DOCUMENTED = { ...humanInteractionApiPaths, ...adminApiPaths, ...workersApiPaths };
const described = (text: string): TextField[] => textFieldsOf(DOCUMENTED, text);

const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

function textFieldsOf(paths: ZodOpenApiPathsObject, text: string): TextField[] {
  const fields: TextField[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = (item as Partial<Record<string, ZodOpenApiOperationObject>>)[method];
      if (!operation) continue;
      const add = (where: Where, schema: unknown) => {
        if (schema) for (const leaf of textLeaves(schema as z.core.$ZodType, text)) fields.push({ method: method.toUpperCase(), path, where, ...leaf });
      };
      add('path', operation.requestParams?.path);
      add('query', operation.requestParams?.query);
      const body = operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
      add('body', body?.content?.['application/json']?.schema);
    }
  }
  return fields;
}

/** Valid values for everything but the field under test, so the one issue is the field's. */
const PATH_VALUES: Record<string, string> = {
  taskId: 'task-1',
  notificationId: 'notification-1',
  tokenId: 'token-1',
  alertId: 'alert-1',
  consumer: 'task-management.commands',
  id: 'dead-letter-1',
};
const BASE_QUERY: Record<string, Record<string, string>> = {
  'GET /api/tasks/{taskId}/prd/diff': { from: '1', to: '2' },
};
const BASE_BODY: Record<string, Record<string, unknown>> = {
  'POST /api/tasks': { title: 'Export', description: 'Export invoices as CSV', approverId: 'bob' },
  'POST /api/tasks/{taskId}/answers': { answers: [{ question: 'Which format?', answer: 'CSV' }] },
  'POST /api/tasks/{taskId}/reject': { feedback: 'Name the columns' },
  'POST /api/tasks/{taskId}/cancel': { reason: 'Not needed' },
  'POST /api/admin/tokens': { userId: 'alice', label: 'laptop' },
  'POST /api/admin/deliveries/retry': { notificationId: 'notification-1', channel: 'email' },
  'POST /api/admin/agent-pool': { paused: true, reason: 'maintenance' },
  'PUT /api/me/channels': { email: 'alice@example.com', webhookUrl: 'https://hooks.example.com/refinery' },
};
/** Fields a pattern refuses before the text rule is reached (digits only): still a 400 naming them. */
const PATTERNED = new Set([
  'GET /api/tasks/{taskId}/prd/diff query.from',
  'GET /api/tasks/{taskId}/prd/diff query.to',
  'GET /api/tasks/{taskId}/prd.md query.version',
]);

const userFor = (path: string): string => (path.startsWith('/admin') || path.startsWith('/api/admin') ? 'root' : 'alice');

const BAD = [
  { name: 'NUL', text: 'a\u0000b', inUrl: 'a%00b', problem: NUL_PROBLEM },
  { name: 'a lone surrogate', text: 'a\ud800b', inUrl: 'a%ED%A0%80b', problem: SURROGATE_PROBLEM },
] as const;

const label = (f: TextField) => `${f.method} ${f.path} ${f.where}.${f.at.join('.')}`;

/** The request that puts `bad` in the field and valid values everywhere else. */
function requestFor(field: TextField, bad: (typeof BAD)[number]) {
  const route = `${field.method} ${field.path}`;
  const name = String(field.at[0]);
  const url = field.path.replace(/\{(\w+)\}/g, (_, param: string) =>
    field.where === 'path' && param === name ? bad.inUrl : encodeURIComponent(PATH_VALUES[param] ?? 'x'),
  );
  const query = Object.entries({ ...BASE_QUERY[route], ...(field.where === 'query' ? { [name]: '' } : {}) }).map(([key, value]) =>
    field.where === 'query' && key === name ? `${key}=${bad.inUrl}` : `${key}=${encodeURIComponent(value)}`,
  );
  const body = field.where === 'body' ? mergedInto(BASE_BODY[route] ?? {}, field.input) : BASE_BODY[route];
  return {
    method: field.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: query.length > 0 ? `${url}?${query.join('&')}` : url,
    headers: bearer(userFor(field.path)),
    ...(body === undefined ? {} : { payload: body as object }),
  };
}

interface Refusal {
  readonly error: string;
  readonly code?: string;
  readonly issues?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

describe('NUL and lone surrogates in text are refused with a 400 naming the field', () => {
  let app: Application;

  beforeAll(async () => {
    app = await startTestApp();
  }, 90_000);
  afterAll(() => app?.stop());

  it('finds the text fields of the bodies, paths and queries of the /api and /admin routes', () => {
    expect(described('text').map(label)).toEqual(
      expect.arrayContaining([
        'POST /api/tasks body.title',
        'POST /api/tasks body.description',
        'POST /api/tasks/{taskId}/answers path.taskId',
        'POST /api/tasks/{taskId}/answers body.answers.0.question',
        'POST /api/tasks/{taskId}/answers body.answers.0.answer',
        'POST /api/tasks/{taskId}/reject body.feedback',
        'POST /api/tasks/{taskId}/cancel body.reason',
        'POST /api/admin/tokens body.label',
        'DELETE /api/admin/tokens/{tokenId} path.tokenId',
        'GET /api/admin/audit query.taskId',
        'PUT /api/me/channels body.webhookUrl',
        'GET /admin/dead-letters/{consumer}/{id} path.id',
        'DELETE /admin/dead-letters/{consumer} query.type',
      ]),
    );
  });

  describe.each(BAD)('$name', (bad) => {
    it.each(described(bad.text).map((f) => [label(f), f] as const))('%s', async (_label, field) => {
      const response = await app.http.inject(requestFor(field, bad));
      if (field.where === 'query' && bad.inUrl.includes('%ED') && !PATTERNED.has(label(field))) {
        // A URL holds UTF-8 bytes, and a surrogate's are not UTF-8: the query keeps the escapes
        // as they were sent (`a%ED%A0%80b`), valid text, and the request is answered as usual.
        expect(response.statusCode).toBe(200);
        return;
      }
      expect(response.statusCode).toBe(400);
      const body = response.json<Refusal>();
      const name = field.at.join('.');
      if (field.where === 'path' && bad.inUrl.includes('%ED')) {
        // Not UTF-8, so no text at all: fastify refuses the URL before any route runs.
        expect(body).toEqual(expect.objectContaining({ code: 'FST_ERR_BAD_URL' }));
        return;
      }
      expect(body.error).toBe('invalid_request');
      expect(body.issues?.length).toBeGreaterThan(0);
      expect(body.issues?.map((issue: { field: string }) => issue.field)).toEqual(body.issues?.map(() => name));
      if (!PATTERNED.has(label(field))) expect(body.issues?.map((issue: { message: string }) => issue.message)).toContain(bad.problem);
    });
  });
});

/**
 * The web inbox's forms and the paths of its pages. A form is url-encoded: NUL arrives (`%00`),
 * a lone surrogate cannot (its bytes are not UTF-8), so NUL is what is tried here.
 */
describe('NUL in a web form field or page path is refused with a 400 naming the field', () => {
  const NUL = 'a\u0000b';
  /** The field's error as a form shows it next to the field. */
  const fieldError = (field: string) => `<p class="field-error" id="${field}-error">Must not contain the NUL character`;
  /** The field as the "Nothing was sent" page lists it. */
  const listed = (field: string) => `<li>${field}: ${NUL_PROBLEM}</li>`;
  let app: Application;
  let api: Api;
  let baseUrl: string;
  const signedIn = async (userId: string) => {
    const web = new BrowserLike(baseUrl);
    await web.signIn(userId);
    return web;
  };

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  }, 90_000);
  afterAll(() => app?.stop());

  it.each([
    ['title', { title: NUL, description: 'Export invoices as CSV' }],
    ['description', { title: 'Export', description: NUL }],
    ['approverId', { title: 'Export', description: 'Export invoices as CSV', approverId: NUL }],
  ])('shows the new-request form again with %s named', async (field, form) => {
    const alice = await signedIn('alice');
    const page = await alice.post('/inbox/requests', { priority: 'normal', ...form });
    expect(page.status).toBe(400);
    expect(page.body).toContain(fieldError(field));
    expect((await api.get<{ tasks: unknown[] }>('alice', '/api/tasks')).body.tasks).toEqual([]);
  });

  it.each([
    // The address format refuses it first, and the form shows that first problem.
    ['email', { email: `alice${NUL}@example.com` }, '<p class="field-error" id="email-error">Invalid email address'],
    ['webhookUrl', { webhookUrl: `https://hooks.example.com/${NUL}` }, fieldError('webhookUrl')],
  ])('shows the settings form again with %s named', async (_field, form, error) => {
    const alice = await signedIn('alice');
    const page = await alice.post('/inbox/settings', form);
    expect(page.status).toBe(400);
    expect(page.body).toContain(error);
  });

  it('refuses answers and feedback on the task page and on the signed links, sending nothing', async () => {
    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    const { taskId } = submitted.body;
    const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const questions = clarification.questions ?? [];
    const alice = await signedIn('alice');
    const version = String(clarification.taskVersion);
    const answers = Object.fromEntries(questions.map((_, i) => [`answer-${i}`, i === 0 ? NUL : COMPLETE_ANSWER]));

    const onPage = await alice.post(`/inbox/tasks/${taskId}/answer`, { version, ...answers });
    expect(onPage.status).toBe(400);
    expect(onPage.body).toContain(listed('answer-0'));
    const answerLink = await api.get<{ notifications: Array<{ id: string; actions: Record<string, string> }> }>('alice', '/api/notifications');
    const answerAction = answerLink.body.notifications.find((n) => n.id === clarification.id)?.actions['answer'] ?? '';
    const viaLink = await new BrowserLike(baseUrl).post(pathOf(answerAction), answers);
    expect(viaLink.status).toBe(400);
    expect(viaLink.body).toContain(listed('answer-0'));

    expect(
      (await api.post('alice', `/api/tasks/${taskId}/answers`, { answers: questions.map((question) => ({ question, answer: COMPLETE_ANSWER })) })).status,
    ).toBe(202);
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const bob = await signedIn('bob');
    const rejectOnPage = await bob.post(`/inbox/tasks/${taskId}/reject`, { feedback: NUL, prdVersion: String(review.prdVersion) });
    expect(rejectOnPage.status).toBe(400);
    expect(rejectOnPage.body).toContain(listed('feedback'));
    const bobs = await api.get<{ notifications: Array<{ id: string; actions: Record<string, string> }> }>('bob', '/api/notifications');
    const rejectAction = bobs.body.notifications.find((n) => n.id === review.id)?.actions['reject'] ?? '';
    const rejectViaLink = await new BrowserLike(baseUrl).post(pathOf(rejectAction), { feedback: NUL });
    expect(rejectViaLink.status).toBe(400);
    expect(rejectViaLink.body).toContain(listed('feedback'));

    // Nothing was sent: the task still waits for the decision on its first PRD.
    const task = await api.get<{ task: { status: string; prdVersion: number } }>('alice', `/api/tasks/${taskId}`);
    expect(task.body.task).toEqual(expect.objectContaining({ status: 'PRD_VALIDATION', prdVersion: 1 }));
  });

  it.each([
    ['alice', '/inbox/tasks/a%00b', 'taskId'],
    ['alice', '/inbox/tasks/a%00b/live', 'taskId'],
    ['alice', '/inbox/tasks/a%00b/events', 'taskId'],
    ['root', '/inbox/ops/tasks/a%00b', 'taskId'],
    ['root', '/inbox/ops/search?q=a%00b', 'q'],
    ['root', '/inbox/ops/dead-letters?consumer=a%00b', 'consumer'],
    ['root', '/inbox/ops/dead-letters/confirm?op=replay&consumer=a%00b', 'consumer'],
    ['root', '/inbox/ops/dead-letters/task-management.commands/a%00b', 'id'],
    ['root', '/inbox/ops/stalled/a%00b/redrive', 'alertId'],
  ])('%s: GET %s names %s', async (user, path, field) => {
    const page = await (await signedIn(user)).get(path);
    expect(page.status).toBe(400);
    expect(page.body).toContain(listed(field));
  });

  it('refuses a link or a sign-in token holding NUL as it refuses any malformed one', async () => {
    const web = new BrowserLike(baseUrl);
    const link = `/inbox/links/a%00b.${'A'.repeat(43)}`;
    expect((await web.get(link)).status).toBe(400);
    expect((await web.post(link, { confirm: 'approve' })).status).toBe(400);
    expect((await web.post('/inbox/login', { token: NUL, next: '/inbox' })).status).toBe(401);
  });

  it.each([
    ['/inbox/ops/dead-letters/replay', { consumer: NUL, id: 'dead-letter-1' }, 'consumer'],
    ['/inbox/ops/dead-letters/purge', { consumer: 'task-management.commands', id: NUL }, 'id.0'],
    ['/inbox/ops/deliveries/retry', { delivery: `email:${NUL}` }, 'delivery.0'],
    ['/inbox/ops/agent-pool/pause', { reason: NUL }, 'reason'],
    ['/inbox/ops/stalled/a%00b/redrive', {}, 'alertId'],
  ])('root: POST %s names its field', async (path, form, field) => {
    const page = await (await signedIn('root')).post(path, form);
    expect(page.status).toBe(400);
    expect(page.body).toContain(listed(field));
  });
});
