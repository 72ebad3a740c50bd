import type { Application } from '../../src/app/container';
import { Api, type TaskView } from '../support/api';
import { startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';
import { routesOf } from '../support/routes';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/**
 * A path for a route pattern, parameters filled with something. fastify's route tree prints the
 * link pages' `/inbox/links/*` as `/inbox/*` (see routesOf): that one is a link.
 */
const pathFor = (url: string) => (url === '/inbox/*' ? '/inbox/links/x' : url.replace(/:\w+/g, 'x'));

/**
 * The web inbox's forms, posted as an attacker's page or script would: in another content type,
 * or without saying where they come from; and the decision forms without the PRD version they
 * were shown for. Each is refused before anything happens.
 */
describe('web forms take only url-encoded posts from this site, and decisions name their PRD version', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let alice: BrowserLike;
  let bob: BrowserLike;

  const channels = async () => (await api.get<{ email: string | null }>('alice', '/api/me/channels')).body;

  beforeAll(async () => {
    // SMTP configured so the email channel can be chosen; nothing is sent to alice in these tests.
    app = await startTestApp({ env: { PORT: '0', SMTP_URL: 'smtp://127.0.0.1:9' } });
    api = new Api(app);
    baseUrl = await app.listen();
    alice = new BrowserLike(baseUrl);
    bob = new BrowserLike(baseUrl);
    await alice.signIn('alice');
    await bob.signIn('bob');
  });
  afterAll(() => app.stop());

  it('refuses a form sent as text/plain (as another site can send it) with 415, and changes nothing', async () => {
    expect((await alice.post('/inbox/settings', { email: 'alice@example.test', webhookUrl: '' })).status).toBe(303);
    expect((await channels()).email).toBe('alice@example.test');

    const plain = await fetch(`${baseUrl}/inbox/settings`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: alice.sessionCookie ?? '', 'content-type': 'text/plain', ...SAME_ORIGIN },
      body: 'email=&webhookUrl=',
    });
    expect(plain.status).toBe(415);
    expect(await plain.text()).toContain('application/x-www-form-urlencoded');
    expect((await channels()).email).toBe('alice@example.test');
  });

  it('answers 415 on every POST route under /inbox for JSON, text/plain, multipart or no content type', async () => {
    const posts = routesOf(app.http, '/inbox').filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.url)).toEqual(expect.arrayContaining(['/inbox/login', '/inbox/settings', '/inbox/tasks/:taskId/approve', '/inbox/*']));
    for (const { url } of posts) {
      for (const [type, body] of [
        ['application/json', '{}'],
        ['text/plain', 'a=b'],
        ['multipart/form-data; boundary=x', '--x--'],
        [undefined, 'a=b'],
      ] as const) {
        const response = await app.http.inject({
          method: 'POST',
          url: pathFor(url),
          headers: { ...SAME_ORIGIN, cookie: alice.sessionCookie ?? '', ...(type ? { 'content-type': type } : {}) },
          payload: body,
        });
        expect([url, type, response.statusCode]).toEqual([url, type, 415]);
      }
    }
  });

  it('refuses with 403 a POST that says nowhere where it comes from (no Origin, Referer or Sec-Fetch-Site)', async () => {
    const posts = routesOf(app.http, '/inbox').filter((r) => r.method === 'POST');
    for (const { url } of posts) {
      const response = await app.http.inject({
        method: 'POST',
        url: pathFor(url),
        headers: { cookie: alice.sessionCookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=&webhookUrl=',
      });
      expect([url, response.statusCode]).toEqual([url, 403]);
    }
    expect((await channels()).email).toBe('alice@example.test');
    // The same form with its page's Origin (an older browser) or Referer goes through.
    expect((await alice.post('/inbox/settings', { email: 'alice@example.test', webhookUrl: '' }, { origin: baseUrl })).status).toBe(303);
    expect((await alice.post('/inbox/settings', { email: 'alice@example.test', webhookUrl: '' }, { referer: `${baseUrl}/inbox/settings` })).status).toBe(303);
  });

  it('requires the PRD version on the approve and reject forms: 400 naming prdVersion, and the PRD is not decided', async () => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER })).body;
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const task = async () => (await api.get<TaskView>('bob', `/api/tasks/${taskId}`)).body;
    await eventually(async () => expect((await task()).prd?.version).toBe(1));

    for (const [decision, extra] of [
      ['approve', {}],
      ['reject', { feedback: 'Add a CSV export.' }],
    ] as const) {
      const missing = await bob.post(`/inbox/tasks/${taskId}/${decision}`, extra);
      expect(missing.status).toBe(400);
      expect(missing.body).toContain('prdVersion: is required');
      for (const invalid of ['abc', '0', '-1', '1.5', '']) {
        const refused = await bob.post(`/inbox/tasks/${taskId}/${decision}`, { ...extra, prdVersion: invalid });
        expect([invalid, refused.status]).toEqual([invalid, 400]);
        expect(refused.body).toMatch(/prdVersion: (must be a positive whole number|is required)/);
      }
    }
    // A version that is not the one awaiting a decision is refused, not replaced by the current one.
    expect((await bob.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '2' })).status).toBe(409);
    expect((await task()).task.status).toBe('PRD_VALIDATION');

    const approved = await bob.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '1' });
    expect([approved.status, approved.location]).toEqual([303, `/inbox/tasks/${taskId}?done=approved`]);
  });
});
