import type { Application } from '../../../../../src/app/container';
import { Api, type TaskView } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { BrowserLike, postFormActions } from './support/browser-like';

const HOSTILE = '<script>alert(1)</script><b>x</b>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;';
const CROSS_SITE = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };

interface TaskList {
  tasks: Array<{ taskId: string; title: string }>;
}

interface ChannelsView {
  inApp: boolean;
  email: string | null;
  webhookUrl: string | null;
  available: { email: boolean; webhook: boolean };
}

/** The value attribute of the form field named `name` (as the page holds it: escaped). */
function valueOf(page: string, name: string): string | undefined {
  return new RegExp(`<input\\b[^>]*\\bname="${name}"[^>]*\\bvalue="([^"]*)"`).exec(page)?.[1];
}

/** A requester submits a request from the web inbox, and everyone chooses their channels there. */
describe('new requests and notification settings in the web inbox', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } }); // neither SMTP_URL nor WEBHOOK_SECRET
    api = new Api(app);
    baseUrl = await app.listen();
  }, 90_000);
  afterAll(() => app?.stop());

  const signedIn = async (userId: string) => {
    const web = new BrowserLike(baseUrl);
    await web.signIn(userId);
    return web;
  };
  /** Every task's title (an admin sees them all): to prove a refused form created nothing. */
  const allTitles = async () => (await api.get<TaskList>('root', '/api/tasks')).body.tasks.map((t) => t.title);

  describe('a new request', () => {
    it('is offered to requesters only: others get no link and 403 for the form and its post', async () => {
      const alice = await signedIn('alice');
      const inbox = await alice.get('/inbox');
      expect(inbox.body).toContain('<a href="/inbox/requests/new">New request</a>');
      const form = await alice.get('/inbox/requests/new');
      expect(form.status).toBe(200);
      expect(postFormActions(form.body)).toEqual(['/inbox/logout', '/inbox/requests']);
      expect(form.body).toContain('<option value="normal" selected>normal</option>');

      for (const userId of ['bob', 'root']) {
        const other = await signedIn(userId);
        expect((await other.get('/inbox')).body).not.toContain('/inbox/requests/new');
        const refused = await other.get('/inbox/requests/new');
        expect(refused.status).toBe(403);
        expect(refused.body).toContain('may not submit requests: that needs the requester role');
        const posted = await other.post('/inbox/requests', {
          title: `Not allowed for ${userId}`,
          description: 'Make the dashboard better.',
          priority: 'normal',
        });
        expect(posted.status).toBe(403);
      }
      expect(await allTitles()).not.toContain('Not allowed for bob');
      expect(await allTitles()).not.toContain('Not allowed for root');
    });

    it('sends someone who is not signed in to sign in first', async () => {
      const page = await new BrowserLike(baseUrl).get('/inbox/requests/new');
      expect([page.status, page.location]).toEqual([303, `/inbox/login?next=${encodeURIComponent('/inbox/requests/new')}`]);
    });

    it('shows a refused form again with what was typed, escaped, and the field named (400)', async () => {
      const alice = await signedIn('alice');
      const empty = await alice.post('/inbox/requests', { title: `Dashboard ${HOSTILE}`, description: '   ', priority: 'high', approverId: '' });
      expect(empty.status).toBe(400);
      expect(empty.body).toContain('description: is required');
      expect(empty.body).toContain('<p class="field-error" id="description-error">Is required.</p>');
      expect(empty.body).toMatch(
        /<textarea id="description" name="description" required maxlength="20000" aria-invalid="true" aria-describedby="description-error">/,
      );
      expect(valueOf(empty.body, 'title')).toBe(`Dashboard ${ESCAPED}`);
      expect(empty.body).toContain('<option value="high" selected>high</option>');
      expect(empty.body).not.toContain(HOSTILE);

      // Refused by the service (not an approver) rather than by the schema: the form comes back the same way.
      const approver = await alice.post('/inbox/requests', {
        title: 'Dashboard',
        description: `Make it better. ${HOSTILE}`,
        priority: 'low',
        approverId: `carol"><script>`,
      });
      expect(approver.status).toBe(400);
      expect(approver.body).toContain('approverId: carol&quot;&gt;&lt;script&gt; is not an approver');
      expect(approver.body).toContain(`>Make it better. ${ESCAPED}</textarea>`);
      expect(valueOf(approver.body, 'approverId')).toBe('carol&quot;&gt;&lt;script&gt;');
      expect(approver.body).not.toContain(HOSTILE);
      expect(approver.body).not.toContain('<script>');

      const priority = await alice.post('/inbox/requests', { title: 'Dashboard', description: 'Make it better.', priority: 'asap' });
      expect(priority.status).toBe(400);
      expect(priority.body).toContain('priority: must be one of low, normal, high, urgent');

      expect(await allTitles()).not.toContain('Dashboard');
    });

    it('refuses a form posted from another site, and creates nothing', async () => {
      const alice = await signedIn('alice');
      const refused = await alice.post(
        '/inbox/requests',
        { title: 'Forged request', description: 'Make the dashboard better.', priority: 'urgent' },
        CROSS_SITE,
      );
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('sent from another site');
      expect(await allTitles()).not.toContain('Forged request');
    });

    it('creates the task, shows its page, and the workflow takes it to the questions', async () => {
      const alice = await signedIn('alice');
      const sent = await alice.post('/inbox/requests', {
        title: `Better dashboard ${HOSTILE}`,
        description: `Make the dashboard better. ${HOSTILE}`,
        priority: 'high',
        approverId: ' bob ',
      });
      expect(sent.status).toBe(303);
      const taskId = /^\/inbox\/tasks\/([0-9a-f-]{36})\?done=submitted$/.exec(sent.location ?? '')?.[1] ?? '';
      expect(taskId).not.toBe('');

      const page = await alice.get(sent.location ?? '');
      expect(page.status).toBe(200);
      expect(page.body).toContain('Your request was submitted.');
      expect(page.body).toContain(`<h1 class="text">Better dashboard ${ESCAPED}</h1>`);
      expect(page.body).toContain(`Make the dashboard better. ${ESCAPED}`);
      expect(page.body).not.toContain(HOSTILE);

      const view = await eventually(
        async () => {
          const { body } = await api.get<TaskView & { task: { requesterId: string; approverId: string; priority: string } }>('alice', `/api/tasks/${taskId}`);
          expect(body.task.status).toBe('CLARIFICATION_NEEDED');
          return body;
        },
        { timeoutMs: 20_000 },
      );
      expect(view.task).toMatchObject({ requesterId: 'alice', approverId: 'bob', priority: 'high' });
      expect(view.clarifications.length).toBeGreaterThan(0);
      expect((await alice.get('/inbox')).body).toContain(`href="/inbox/tasks/${taskId}"`);
    }, 30_000);
  });

  describe('notification channels without SMTP or a webhook secret', () => {
    it('links the settings from the header, and says which channels this server cannot send', async () => {
      const bob = await signedIn('bob');
      expect((await bob.get('/inbox')).body).toContain('<a href="/inbox/settings">Settings</a>');
      const page = await bob.get('/inbox/settings');
      expect(page.status).toBe(200);
      expect(page.body).toContain('Always on');
      expect(page.body).toContain('This server cannot send email: it is not configured for it (SMTP_URL).');
      expect(page.body).toContain('This server cannot send webhooks: it is not configured for it (WEBHOOK_SECRET).');
      expect(postFormActions(page.body)).toEqual(['/inbox/logout', '/inbox/settings']);
    });

    it('refuses a channel the server is not configured for with 409, keeping what was typed', async () => {
      const bob = await signedIn('bob');
      const email = await bob.post('/inbox/settings', { email: 'bob@example.com', webhookUrl: '' });
      expect(email.status).toBe(409);
      expect(email.body).toContain('Nothing was saved: email notifications are not available: this service has no SMTP server configured (SMTP_URL).');
      expect(valueOf(email.body, 'email')).toBe('bob@example.com');

      const webhook = await bob.post('/inbox/settings', { email: '', webhookUrl: 'https://hooks.example.com/refinery' });
      expect(webhook.status).toBe(409);
      expect(webhook.body).toContain('(WEBHOOK_SECRET)');

      expect((await api.get<ChannelsView>('bob', '/api/me/channels')).body).toMatchObject({ email: null, webhookUrl: null });
    });
  });

  describe('notification channels with SMTP configured', () => {
    let smtpApp: Application;
    let smtpApi: Api;
    let smtpUrl: string;
    beforeAll(async () => {
      // Nothing is sent in these tests: no notification is created, so nothing connects to it.
      smtpApp = await startTestApp({ env: { PORT: '0', SMTP_URL: 'smtp://127.0.0.1:2525' } });
      smtpApi = new Api(smtpApp);
      smtpUrl = await smtpApp.listen();
    }, 90_000);
    afterAll(() => smtpApp?.stop());

    const bobThere = async () => {
      const web = new BrowserLike(smtpUrl);
      await web.signIn('bob');
      return web;
    };

    it('saves an email address, redirects with a confirmation, and the API sees the same choice', async () => {
      const bob = await bobThere();
      const before = await bob.get('/inbox/settings');
      expect(before.body).toContain('This server can send email.');
      expect(valueOf(before.body, 'email')).toBe('');

      const saved = await bob.post('/inbox/settings', { email: ' bob@example.com ', webhookUrl: '' });
      expect([saved.status, saved.location]).toEqual([303, '/inbox/settings?saved=1']);
      const after = await bob.get(saved.location ?? '');
      expect(after.body).toContain('Your notification channels were saved.');
      expect(valueOf(after.body, 'email')).toBe('bob@example.com');
      expect((await smtpApi.get<ChannelsView>('bob', '/api/me/channels')).body).toEqual({
        inApp: true,
        email: 'bob@example.com',
        webhookUrl: null,
        available: { email: true, webhook: false },
      });
    });

    it('refuses a bad address naming the field (400), the typed value escaped, and keeps the saved one', async () => {
      const bob = await bobThere();
      await bob.post('/inbox/settings', { email: 'bob@example.com' });
      const typed = `"><script>alert(1)</script>`;
      const bad = await bob.post('/inbox/settings', { email: typed, webhookUrl: 'ftp://hooks.example.com/x' });
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('<p class="field-error" id="email-error">Invalid email address.</p>');
      expect(bad.body).toContain('<p class="field-error" id="webhookUrl-error">Must be an http or https URL.</p>');
      expect(valueOf(bad.body, 'email')).toBe('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(bad.body).not.toContain('<script>');
      expect((await smtpApi.get<ChannelsView>('bob', '/api/me/channels')).body.email).toBe('bob@example.com');
    });

    it('turns email off when the field is emptied, and refuses a cross-site post', async () => {
      const bob = await bobThere();
      await bob.post('/inbox/settings', { email: 'bob@example.com' });
      const forged = await bob.post('/inbox/settings', { email: 'attacker@evil.example' }, CROSS_SITE);
      expect(forged.status).toBe(403);
      expect((await smtpApi.get<ChannelsView>('bob', '/api/me/channels')).body.email).toBe('bob@example.com');

      const off = await bob.post('/inbox/settings', { email: '', webhookUrl: '' });
      expect(off.status).toBe(303);
      expect((await smtpApi.get<ChannelsView>('bob', '/api/me/channels')).body).toMatchObject({ email: null, webhookUrl: null });
    });
  });
});
