import type { Application } from '../../../../../src/app/container';
import { sha256Hex } from '../../../../../src/contexts/human-interaction/application/api-tokens/api-token-secret';
import { Api } from '../../../../support/api';
import { startTestApp, TEST_LINK_SECRET } from '../../../../support/app';
import { notificationFor } from '../../../../support/refinement-scenario';
import { EventStreamReader } from './support/event-stream';
import { BrowserLike } from './support/browser-like';
import { WebSessions } from '../../../../../src/contexts/human-interaction/infrastructure/web/web-session';

/**
 * A web sign-in lasts only as long as the token it was made with: revoking an issued token ends
 * the sessions it started, at their next page or the next look of an open task page's stream.
 */
describe('web sessions end when their token is revoked', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  });
  afterAll(() => app.stop());

  const issueFor = async (userId: string, label: string) => {
    const issued = await api.post<{ id: string; token: string }>('root', '/api/admin/tokens', { userId, label });
    expect(issued.status).toBe(201);
    return issued.body;
  };
  const revoke = async (id: string) => expect((await api.call('root', 'DELETE', `/api/admin/tokens/${id}`)).status).toBe(200);
  const signInWith = async (token: string) => {
    const web = new BrowserLike(baseUrl);
    const page = await web.post('/inbox/login', { token, next: '/inbox' });
    expect([page.status, page.location]).toEqual([303, '/inbox']);
    return web;
  };
  const toSignIn = (next: string) => `/inbox/login?next=${encodeURIComponent(next)}`;

  it('sends the next page load of a session made with a revoked token to sign-in, while other sessions keep working', async () => {
    const laptop = await issueFor('alice', 'laptop');
    const phone = await issueFor('alice', 'phone');
    const withLaptop = await signInWith(laptop.token);
    const withPhone = await signInWith(phone.token);
    const withConfigured = await signInWith('alice-test-token-0123456789abcdefghij');
    for (const web of [withLaptop, withPhone, withConfigured]) expect((await web.get('/inbox')).status).toBe(200);

    await revoke(laptop.id);

    const refused = await withLaptop.get('/inbox');
    expect([refused.status, refused.location]).toEqual([303, toSignIn('/inbox')]);
    const form = await withLaptop.post('/inbox/tasks/any-task/answer', { version: '1', 'answer-0': 'x' });
    expect([form.status, form.location]).toEqual([303, toSignIn('/inbox')]);
    // The other token's session, and the one made with alice's configured token, are untouched.
    expect((await withPhone.get('/inbox')).status).toBe(200);
    const configured = await withConfigured.get('/inbox');
    expect(configured.status).toBe(200);
    expect(configured.body).toContain('Signed in as Alice');
    // Signing in again with the revoked token is refused as well.
    expect((await new BrowserLike(baseUrl).post('/inbox/login', { token: laptop.token, next: '/inbox' })).status).toBe(401);
  });

  it('keeps the token out of the cookie, which names it by its sha256, sealed so that neither can be read', async () => {
    const issued = await issueFor('bob', 'desk');
    const web = await signInWith(issued.token);
    const cookie = (web.sessionCookie ?? '').replace(/^refinery_session=/, '');
    const sessions = new WebSessions(TEST_LINK_SECRET, 60_000);
    expect(sessions.open(cookie, new Date())).toMatchObject({ userId: 'bob', credentialSha256: sha256Hex(issued.token) });
    const readable = Buffer.from(cookie, 'base64url').toString('latin1');
    for (const secretish of [issued.token, issued.token.slice(4), sha256Hex(issued.token), 'bob']) expect(readable).not.toContain(secretish);
  });

  it('ends an open task page stream once its session token is revoked', async () => {
    const issued = await issueFor('alice', 'tablet');
    const web = await signInWith(issued.token);
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' }))
      .body;
    await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const response = await fetch(`${baseUrl}/inbox/tasks/${taskId}/events`, { headers: { accept: 'text/event-stream', cookie: web.sessionCookie ?? '' } });
    expect(response.status).toBe(200);
    const events = new EventStreamReader(response);
    await events.until((e) => e.event === 'task');

    await revoke(issued.id);

    // The stream re-checks every few seconds; the browser's reconnect is then refused.
    await expect(events.ended(10_000)).resolves.toBe(true);
    const reconnect = await fetch(`${baseUrl}/inbox/tasks/${taskId}/events`, { headers: { accept: 'text/event-stream', cookie: web.sessionCookie ?? '' } });
    expect(reconnect.status).toBe(401);
    await reconnect.body?.cancel();
  });
});
