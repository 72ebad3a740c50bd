import type { z } from 'zod';
import type { Application } from '../../../src/app/container';
import {
  issuedTokenView,
  markedReadView,
  notificationListView,
  submittedView,
  taskDetailsView,
  taskListView,
} from '../../../src/contexts/human-interaction/infrastructure/http/response-schemas';
import { bearer, startTestApp } from '../../support/app';
import { eventually } from '../../support/eventually';
import { COMPLETE_ANSWER } from '../../support/refinement-scenario';
import { openApiPath, routesOf } from '../../support/routes';

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses: Record<string, unknown>;
  requestBody?: unknown;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
}

describe('the API description at /docs', () => {
  let app: Application;
  let base: string;
  let document: OpenApiDocument;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    base = await app.listen();
    const response = await fetch(`${base}/docs/json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
  afterAll(() => app?.stop());

  it('is an OpenAPI 3.x document, served without a token, with bearer security', () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info.title).toBe('Refinery API');
    expect(document.components.securitySchemes['bearer']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  });

  it('describes every route the service has under /api, and no route it does not have', () => {
    const served = routesOf(app.http, '/api/').map((r) => `${r.method} ${openApiPath(r.url)}`);
    expect(served.length).toBeGreaterThanOrEqual(11);
    const described = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(described.filter((d) => d.includes(' /api/')).sort()).toEqual(served.sort());
  });

  it('documents the Idempotency-Key header, the replay marker and 422 on exactly the POSTs that create or decide', () => {
    const withKey = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key' && p.required !== true))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(withKey.sort()).toEqual(
      [
        'POST /api/tasks',
        'POST /api/tasks/{taskId}/answers',
        'POST /api/tasks/{taskId}/approve',
        'POST /api/tasks/{taskId}/reject',
        'POST /api/tasks/{taskId}/cancel',
      ].sort(),
    );
    const submit = document.paths['/api/tasks']?.['post'];
    expect(Object.keys(submit?.responses ?? {})).toEqual(expect.arrayContaining(['202', '409', '422']));
    expect(submit?.responses['202']).toEqual(expect.objectContaining({ headers: { 'Idempotent-Replayed': expect.anything() } }));
  });

  it('describes the admin dead-letter routes too', () => {
    const served = routesOf(app.http, '/admin/').map((r) => `${r.method} ${openApiPath(r.url)}`);
    const described = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(served.length).toBe(4);
    expect(described.filter((d) => d.includes(' /admin/')).sort()).toEqual(served.sort());
  });

  it('gives every operation bearer security, its 401, and the error bodies it can answer', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    for (const { path, method, op } of operations) {
      expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ bearer: [] }] });
      expect({ path, method, has401: '401' in op.responses }).toEqual({ path, method, has401: true });
      if (op.requestBody && path.startsWith('/api/'))
        expect({ path, method, statuses: Object.keys(op.responses) }).toEqual({ path, method, statuses: expect.arrayContaining(['400', '413']) });
    }
    const decide = document.paths['/api/tasks/{taskId}/approve']?.['post'];
    expect(Object.keys(decide?.responses ?? {}).sort()).toEqual(['202', '400', '401', '403', '404', '409', '413', '422']);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'TaskSummary',
        'TaskDetails',
        'Accepted',
        'Notification',
        'PrdDocument',
        'InvalidRequest',
        'Unauthorized',
        'Forbidden',
        'NotFound',
        'Conflict',
        'BodyTooLarge',
      ]),
    );
  });

  it('describes what the routes really answer (their answers parse with the schemas the document comes from)', async () => {
    const call = async <S extends z.ZodType>(schema: S, method: string, path: string, user: string, body?: unknown): Promise<z.output<S>> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...bearer(user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status).toBeLessThan(300);
      return schema.parse(await response.json());
    };
    const { taskId } = await call(submittedView, 'POST', '/api/tasks', 'alice', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    await eventually(async () => expect((await call(taskDetailsView, 'GET', `/api/tasks/${taskId}`, 'alice')).prd?.version).toBe(1), { timeoutMs: 20_000 });
    expect((await call(taskListView, 'GET', '/api/tasks', 'alice')).tasks.map((t) => t.taskId)).toContain(taskId);
    await eventually(
      async () => expect((await call(notificationListView, 'GET', '/api/notifications', 'bob')).notifications.map((n) => n.taskId)).toContain(taskId),
      { timeoutMs: 20_000 },
    );
    const needing = await call(notificationListView, 'GET', '/api/notifications?state=needs-you', 'bob');
    expect(needing.notifications.find((n) => n.taskId === taskId)).toMatchObject({
      kind: 'prd-ready-for-review',
      state: 'needs-you',
      taskStatus: 'PRD_VALIDATION',
    });
    expect((await call(markedReadView, 'POST', '/api/notifications/read-all', 'bob')).marked).toBeGreaterThan(0);
    expect((await call(issuedTokenView, 'POST', '/api/admin/tokens', 'root', { userId: 'alice', label: 'docs test' })).token).toMatch(/^rfy_/);
  }, 60_000);

  it('serves a human page at /docs from its own assets (no CDN)', async () => {
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(src, `${base}/docs`));
      // Read to the end: an unread body keeps the connection busy, and stop() waits for it.
      const size = (await asset.arrayBuffer()).byteLength;
      expect({ src, status: asset.status, empty: size === 0 }).toEqual({ src, status: 200, empty: false });
    }
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
