import type { Application } from '../../../../../src/app/container';
import { sha256Hex } from '../../../../../src/contexts/human-interaction/application/api-tokens/api-token-secret';
import { deriveKey } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { SealedTokens } from '../../../../../src/contexts/human-interaction/infrastructure/links/sealed-tokens';
import { Api, type TaskView } from '../../../../support/api';
import { startTestApp, TEST_LINK_SECRET } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { BrowserLike, postFormActions } from './support/browser-like';

const HOSTILE = '<script>alert(1)</script><b>x</b>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;';

/** The signed-in web inbox over real HTTP: sign-in, the inbox, task pages and their forms. */
describe('the web inbox pages', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  });
  afterAll(() => app.stop());

  const browser = () => new BrowserLike(baseUrl);
  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const submit = async (description: string, title = 'Better dashboard') =>
    (await api.post<{ taskId: string }>('alice', '/api/tasks', { title, description })).body.taskId;

  describe('signing in', () => {
    it('sends someone without a session to the sign-in page, and back where they were going after it', async () => {
      const web = browser();
      const page = await web.get('/inbox/tasks/some-task?x=1');
      expect(page.status).toBe(303);
      expect(page.location).toBe(`/inbox/login?next=${encodeURIComponent('/inbox/tasks/some-task?x=1')}`);
      const form = await web.get(page.location ?? '');
      expect(form.status).toBe(200);
      expect(form.body).toContain('name="next" value="/inbox/tasks/some-task?x=1"');

      const signedIn = await web.post('/inbox/login', { token: 'alice-test-token-0123456789abcdefghij', next: '/inbox/tasks/some-task?x=1' });
      expect(signedIn.status).toBe(303);
      expect(signedIn.location).toBe('/inbox/tasks/some-task?x=1');
      const cookie = signedIn.headers.getSetCookie().join('\n');
      expect(cookie).toMatch(/refinery_session=[^;]+; Max-Age=43200; Path=\/inbox; HttpOnly; SameSite=Lax/);
      expect(cookie).not.toContain('Secure');
      const inbox = await web.get('/inbox');
      expect(inbox.status).toBe(200);
      expect(inbox.body).toContain('Signed in as Alice');
    });

    it('refuses a wrong token with 401 and the form again, saying so', async () => {
      const web = browser();
      const page = await web.post('/inbox/login', { token: 'alice-test-tokeN', next: '/inbox' });
      expect(page.status).toBe(401);
      expect(page.body).toContain('That token is not valid');
      expect(postFormActions(page.body)).toEqual(['/inbox/login']);
      expect(web.sessionCookie).toBeUndefined();
      expect((await web.get('/inbox')).status).toBe(303);
    });

    it('never sends a person to another site after signing in', async () => {
      for (const next of ['https://evil.example/', '//evil.example/inbox', '/\\evil.example', '/api/tasks', '/inbox/../admin']) {
        const page = await browser().post('/inbox/login', { token: 'alice-test-token-0123456789abcdefghij', next });
        expect([next, page.location]).toEqual([next, '/inbox']);
      }
    });

    it('does not accept a forged, expired or altered session cookie', async () => {
      const sessions = new SealedTokens(deriveKey(TEST_LINK_SECRET, 'web-session'));
      const linkKey = new SealedTokens(deriveKey(TEST_LINK_SECRET, 'action-links'));
      const credential = sha256Hex('alice-test-token-0123456789abcdefghij');
      const web = browser();
      const sid = 'a-session-id-0123456789';
      const idle = Date.now() + 60_000;
      web.sessionCookie = `refinery_session=${sessions.seal({ sid, userId: 'alice', credential, exp: Date.now() - 1_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      web.sessionCookie = `refinery_session=${linkKey.seal({ sid, userId: 'alice', credential, exp: Date.now() + 60_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      // A session names the token that started it: without one (an older cookie), or with another person's, it is refused.
      web.sessionCookie = `refinery_session=${sessions.seal({ sid, userId: 'alice', exp: Date.now() + 60_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      web.sessionCookie = `refinery_session=${sessions.seal({ userId: 'alice', credential: sha256Hex('carol-test-token-0123456789abcdefghij'), exp: Date.now() + 60_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      // An idle deadline passed ends it too, and a session without an id (from before sign-out revoked ids) is refused.
      web.sessionCookie = `refinery_session=${sessions.seal({ sid, userId: 'alice', credential, exp: Date.now() + 60_000, idle: Date.now() - 1 })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      web.sessionCookie = `refinery_session=${sessions.seal({ userId: 'alice', credential, exp: Date.now() + 60_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(303);
      web.sessionCookie = `refinery_session=${sessions.seal({ sid, userId: 'alice', credential, exp: Date.now() + 60_000, idle })}`;
      expect((await web.get('/inbox')).status).toBe(200);
    });

    it('signs out', async () => {
      const web = browser();
      await web.signIn('bob');
      expect((await web.get('/inbox')).status).toBe(200);
      const out = await web.post('/inbox/logout');
      expect([out.status, out.location]).toEqual([303, '/inbox/login']);
      expect(web.sessionCookie).toBeUndefined();
      expect((await web.get('/inbox')).status).toBe(303);
    });
  });

  describe('a task and its forms', () => {
    let taskId: string;
    let alice: BrowserLike;
    let bob: BrowserLike;
    beforeAll(async () => {
      alice = browser();
      bob = browser();
      await alice.signIn('alice');
      await bob.signIn('bob');
      taskId = await submit(`Make the dashboard better. ${HOSTILE}`, `Dashboard ${HOSTILE}`);
      await notificationFor(api, 'alice', taskId, 'clarification-requested');
    });

    it('lists the notification, with its signed link, and the task in the inbox, escaped', async () => {
      const inbox = await alice.get('/inbox');
      expect(inbox.status).toBe(200);
      expect(inbox.body).toMatch(/data-kind="clarification-requested"[\s\S]*href="\/inbox\/links\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}"/);
      expect(inbox.body).toContain(`href="/inbox/tasks/${taskId}"`);
      expect(inbox.body).toContain(`Dashboard ${ESCAPED}`);
      expect(inbox.body).not.toContain(HOSTILE);
    });

    it('shows the request as text, with every header a page needs', async () => {
      const page = await alice.get(`/inbox/tasks/${taskId}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`Make the dashboard better. ${ESCAPED}`);
      expect(page.body).not.toContain(HOSTILE);
      expect(page.body).toContain('<span class="status status-CLARIFICATION_NEEDED" id="task-status">Waiting for your answers</span>');
      expect(page.body.match(/<script\b[^>]*>/g)).toEqual(['<script src="/inbox/assets/live.js" defer>']);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('answers 403 to another requester, and shows the answer form only to the requester', async () => {
      const carol = browser();
      await carol.signIn('carol');
      const refused = await carol.get(`/inbox/tasks/${taskId}`);
      expect(refused.status).toBe(403);
      expect(refused.body).not.toContain('Make the dashboard better');
      expect((await carol.post(`/inbox/tasks/${taskId}/answer`, { version: '3', 'answer-0': 'mine' })).status).toBe(403);

      expect(postFormActions((await alice.get(`/inbox/tasks/${taskId}`)).body)).toEqual(['/inbox/logout', `/inbox/tasks/${taskId}/answer`]);
      expect(postFormActions((await bob.get(`/inbox/tasks/${taskId}`)).body)).toEqual(['/inbox/logout']);
    });

    it('refuses a form posted from another site, and does nothing', async () => {
      const { task: before, clarifications } = await task(taskId);
      const form = { version: String(before.version), answer: clarifications.map(() => COMPLETE_ANSWER) };
      const crossSite = await alice.post(`/inbox/tasks/${taskId}/answer`, form, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
      const oldBrowser = await alice.post(`/inbox/tasks/${taskId}/answer`, form, { origin: 'https://evil.example' });
      const byReferer = await alice.post(`/inbox/tasks/${taskId}/answer`, form, { referer: 'https://evil.example/page' });
      for (const refused of [crossSite, oldBrowser, byReferer]) {
        expect(refused.status).toBe(403);
        expect(refused.body).toContain('sent from another site');
      }
      const view = await task(taskId);
      expect(view.task.version).toBe(before.version);
      expect(view.clarifications.every((c) => c.answer === undefined)).toBe(true);
    });

    it('answers from the task page, then redirects to it with a confirmation (post/redirect/get)', async () => {
      const { task: current, clarifications } = await task(taskId);
      const missing = await alice.post(`/inbox/tasks/${taskId}/answer`, { version: String(current.version), 'answer-0': COMPLETE_ANSWER });
      expect(missing.status).toBe(400);
      expect(missing.body).toContain('answer-1: is required');

      const stale = await alice.post(`/inbox/tasks/${taskId}/answer`, {
        version: String(current.version - 1),
        answer: clarifications.map(() => COMPLETE_ANSWER),
      });
      expect(stale.status).toBe(409);

      const fields = Object.fromEntries(clarifications.map((_, i) => [`answer-${i}`, `${COMPLETE_ANSWER} ${HOSTILE}`]));
      const sent = await alice.post(`/inbox/tasks/${taskId}/answer`, { version: String(current.version), ...fields }, { origin: baseUrl });
      expect([sent.status, sent.location]).toEqual([303, `/inbox/tasks/${taskId}?done=answered`]);
      const confirmed = await alice.get(sent.location ?? '');
      expect(confirmed.body).toContain('Your answers were sent');
      // Only the listed confirmations: an inherited key (`constructor`) or a repeated parameter shows none.
      for (const odd of ['constructor', '__proto__', 'toString', 'answered&done=approved']) {
        expect((await alice.get(`/inbox/tasks/${taskId}?done=${odd}`)).body).not.toContain('class="flash"');
      }
      await eventually(async () => expect((await task(taskId)).task.status).toBe('PRD_VALIDATION'), { timeoutMs: 10_000 });
    });

    it('shows the PRD, its versions and the whole history; the approver decides from the page', async () => {
      await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
      const page = await eventually(async () => {
        const loaded = await bob.get(`/inbox/tasks/${taskId}`);
        expect(loaded.body).toContain('data-prd-version="1"');
        return loaded;
      });
      expect(page.body).toContain('Functional requirements');
      expect(page.body).toContain(COMPLETE_ANSWER.slice(0, 40));
      expect(page.body).toContain(ESCAPED);
      expect(page.body).not.toContain(HOSTILE);
      expect(page.body.match(/<ol class="timeline">[\s\S]*?<\/ol>/)?.[0].match(/<li>/g)).toHaveLength(5);
      expect(postFormActions(page.body)).toEqual(['/inbox/logout', `/inbox/tasks/${taskId}/approve`, `/inbox/tasks/${taskId}/reject`]);
      // The requester cannot decide, even by posting the form.
      expect((await alice.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '1' })).status).toBe(403);

      const rejected = await bob.post(`/inbox/tasks/${taskId}/reject`, { prdVersion: '1', feedback: 'Add a CSV export of the chart.' });
      expect([rejected.status, rejected.location]).toEqual([303, `/inbox/tasks/${taskId}?done=rejected`]);
      await eventually(async () => expect((await task(taskId)).prdVersions).toEqual([1, 2]), { timeoutMs: 10_000 });
      await eventually(async () => expect((await task(taskId)).task.status).toBe('PRD_VALIDATION'), { timeoutMs: 10_000 });
      expect((await bob.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '1' })).status).toBe(409);
      const approved = await bob.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '2' });
      expect([approved.status, approved.location]).toEqual([303, `/inbox/tasks/${taskId}?done=approved`]);
      await eventually(async () => expect((await task(taskId)).task.status).toBe('APPROVED'), { timeoutMs: 10_000 });
      const final = await bob.get(`/inbox/tasks/${taskId}`);
      expect(postFormActions(final.body)).toEqual(['/inbox/logout']);
      expect(final.body).toContain('Bob approved v2');
      expect(final.body).toContain('Bob rejected v1: <span class="text">Add a CSV export of the chart.</span>');

      // Any earlier version opens from the version links (?version=n); an unknown or invalid one is refused, naming it.
      expect(final.body).toContain(`<a href="/inbox/tasks/${taskId}?version=1" data-version="1">v1</a>`);
      const earlier = await bob.get(`/inbox/tasks/${taskId}?version=1`);
      expect(earlier.status).toBe(200);
      expect(earlier.body).toContain('<article class="prd" data-prd-version="1">');
      expect(earlier.body).not.toContain('data-prd-version="2"');
      expect(earlier.body).toContain('This is an earlier version, v1.');
      const earlierLive = await bob.get(`/inbox/tasks/${taskId}/live?version=1`);
      expect(earlierLive.body).toContain('<article class="prd" data-prd-version="1">');
      const unknown = await bob.get(`/inbox/tasks/${taskId}?version=9`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toContain('PRD version 9');
      const invalid = await bob.get(`/inbox/tasks/${taskId}?version=first`);
      expect(invalid.status).toBe(400);
      expect(invalid.body).toContain('version: must be a positive integer');
    });

    it('answers a page that does not exist with a 404 page', async () => {
      const page = await alice.get('/inbox/tasks/00000000-0000-4000-8000-000000000000');
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect((await alice.get('/inbox/nowhere')).status).toBe(404);
    });
  });
});
