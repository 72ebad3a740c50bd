import type { Application } from '../../src/app/container';
import { adminApiPaths } from '../../src/app/http/admin.api-description';
import { humanInteractionApiPaths } from '../../src/contexts/human-interaction/infrastructure/http/api-description';
import { Api } from '../support/api';
import { bearer, startTestApp } from '../support/app';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { routesOf } from '../support/routes';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

const EVERY_RESPONSE = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };
const JSON_API = { ...EVERY_RESPONSE, 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };

/** Every operation the API description (/docs) lists, with its path parameters filled in. */
function describedOperations(): Array<{ method: Method; url: string }> {
  return Object.entries({ ...humanInteractionApiPaths, ...adminApiPaths }).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((key) => ['get', 'post', 'put', 'delete', 'patch'].includes(key))
      .map((key) => ({ method: key.toUpperCase() as Method, url: path.replace(/\{\w+\}/g, 'no-such-id') })),
  );
}

const headersOf = (response: { headers: Record<string, unknown> }, names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, response.headers[name]]));

/**
 * The security headers every response carries, set by one application hook: on each operation of
 * the API description, called without a token (401), with one (whatever it answers: 200, 400, 403,
 * 404), on paths nothing serves (404), and on the web inbox's pages.
 */
describe('security headers on every response', () => {
  let app: Application;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    baseUrl = await app.listen();
  });
  afterAll(() => app.stop());

  it('sends nosniff, DENY, no-referrer, no-store and a CSP that allows nothing on every /api and /admin operation, without a token (401)', async () => {
    const operations = describedOperations();
    expect(operations.length).toBeGreaterThan(20);
    for (const { method, url } of operations) {
      const response = await app.http.inject({ method, url, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
      expect([method, url, response.statusCode]).toEqual([method, url, 401]);
      expect([method, url, headersOf(response, Object.keys(JSON_API))]).toEqual([method, url, JSON_API]);
    }
  });

  it('sends them with a token too, whatever the answer (200, 400, 403, 404)', async () => {
    const statuses = new Set<number>();
    for (const user of ['root', 'alice']) {
      for (const { method, url } of describedOperations().filter((o) => o.method === 'GET')) {
        const response = await app.http.inject({ method, url, headers: bearer(user) });
        statuses.add(response.statusCode);
        expect([user, url, headersOf(response, Object.keys(JSON_API))]).toEqual([user, url, JSON_API]);
      }
    }
    expect([...statuses]).toEqual(expect.arrayContaining([200, 403, 404]));
  });

  it('sends them on a path under /api or /admin that does not exist (404)', async () => {
    for (const url of ['/api/no-such-route', '/admin/no-such-route', '/api']) {
      const response = await app.http.inject({ method: 'GET', url, headers: bearer('root') });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(headersOf(response, Object.keys(JSON_API))).toEqual(JSON_API);
    }
  });

  it('sends the three every response gets on every other route, and on a path nothing serves', async () => {
    const others = routesOf(app.http).filter((r) => !/^\/(api|admin|inbox)(\/|$)/.test(r.url) && !r.url.includes('*'));
    expect(others.map((r) => r.url)).toEqual(expect.arrayContaining(['/health', '/metrics', '/docs']));
    for (const { method, url } of [...others, { method: 'GET', url: '/no-such-page' }]) {
      const response = await app.http.inject({ method: method as Method, url: url.replace(/:\w+/g, 'x') });
      expect([url, headersOf(response, Object.keys(EVERY_RESPONSE))]).toEqual([url, EVERY_RESPONSE]);
    }
  });

  it("gives the inbox's pages their own CSP, not cached, signed in or not, found or not", async () => {
    for (const url of ['/inbox/login', '/inbox', '/inbox/no-such-page', '/inbox/links/not-a-link']) {
      const response = await app.http.inject({ method: 'GET', url });
      expect(headersOf(response, Object.keys(EVERY_RESPONSE))).toEqual(EVERY_RESPONSE);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    // A task page's live stream, which takes the response over from fastify, sends them itself.
    const web = new BrowserLike(baseUrl);
    await web.signIn('alice');
    const { taskId } = (await new Api(app).post<{ taskId: string }>('alice', '/api/tasks', { title: 'Streamed', description: 'Watch it.' })).body;
    const stream = await fetch(`${baseUrl}/inbox/tasks/${taskId}/events`, { headers: { cookie: web.sessionCookie ?? '' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(Object.fromEntries(Object.keys(EVERY_RESPONSE).map((name) => [name, stream.headers.get(name)]))).toEqual(EVERY_RESPONSE);
    expect(stream.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await stream.body?.cancel();

    // Its style sheet keeps the caching it asks for.
    const style = await app.http.inject({ method: 'GET', url: '/inbox/assets/inbox.css' });
    expect(style.headers['cache-control']).toBe('public, max-age=300');
    expect(style.headers['x-content-type-options']).toBe('nosniff');
  });
});
