import type { Application } from '../../../../../src/app/container';
import { type ActionLinkClaims, linkClaimsFor } from '../../../../../src/contexts/human-interaction/domain/action-link';
import { ActionLinkSigner } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { escapeHtml } from '../../../../../src/contexts/human-interaction/infrastructure/web/html';
import { Api, type TaskView } from '../../../../support/api';
import { startTestApp, TEST_LINK_SECRET } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { PRD_SECTIONS, sectionsMissingFrom } from '../../../../support/prd-sections';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { BrowserLike, pathOf, postFormActions } from './support/browser-like';

interface NotificationWithActions {
  id: string;
  taskId: string;
  taskVersion: number;
  kind: string;
  questions: string[] | null;
  prdVersion: number | null;
  createdAt: string;
  actions: { answer?: string; approve?: string; reject?: string };
}

const HOSTILE = '<script>alert(1)</script><b>x</b>';

/**
 * The signed links notifications carry, followed as a person would: with nothing but the link
 * (no sign-in), over real HTTP. Each refusal has its status, says why, and points at the task.
 */
describe('signed action links in the web inbox', () => {
  let app: Application;
  let api: Api;
  let web: BrowserLike;
  const signer = new ActionLinkSigner(TEST_LINK_SECRET);

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    web = new BrowserLike(await app.listen());
  });
  afterAll(() => app.stop());

  const notification = async (user: string, taskId: string, kind: string, taskVersion?: number): Promise<NotificationWithActions> => {
    const found = await notificationFor(api, user, taskId, kind, taskVersion);
    const { body } = await api.get<{ notifications: NotificationWithActions[] }>(user, '/api/notifications');
    const full = body.notifications.find((n) => n.id === found.id);
    if (!full) throw new Error('the notification vanished');
    return full;
  };
  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const submit = async (description: string) =>
    (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: `Dashboard ${HOSTILE}`, description })).body.taskId;
  const claimsOf = (n: NotificationWithActions, action: ActionLinkClaims['action']) =>
    linkClaimsFor(
      { notificationId: n.id, recipientId: 'bob', taskId: n.taskId, taskVersion: n.taskVersion, prdVersion: n.prdVersion, createdAt: new Date(n.createdAt) },
      action,
      72 * 3_600_000,
    );
  const taskLink = (taskId: string) => `href="/inbox/tasks/${taskId}"`;

  // One task walks the whole way; the tests below follow its links in order.
  let taskId: string;
  let clarification: NotificationWithActions;
  let review1: NotificationWithActions;
  let review2: NotificationWithActions;

  it('lists absolute, signed action links with each notification in the JSON API', async () => {
    taskId = await submit(`Make the dashboard better. ${HOSTILE}`);
    clarification = await notification('alice', taskId, 'clarification-requested');
    expect(Object.keys(clarification.actions)).toEqual(['answer']);
    expect(clarification.actions.answer).toMatch(new RegExp(`^${web.baseUrl}/inbox/links/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
  });

  it('shows what an answer link does, with the request escaped, and acts only when its form is sent', async () => {
    const link = pathOf(clarification.actions.answer ?? '');
    const page = await web.get(link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(page.body).not.toContain(HOSTILE);
    for (const question of clarification.questions ?? []) expect(page.body).toContain(escapeHtml(question));
    expect(postFormActions(page.body)).toEqual([link]);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Looking (twice, as a mail scanner would) changed nothing.
    await web.get(link);
    expect((await task(taskId)).task.status).toBe('CLARIFICATION_NEEDED');

    const missing = await web.post(link, {});
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('every question needs an answer');

    const answers = (clarification.questions ?? []).map(() => COMPLETE_ANSWER);
    // A post that does not say where it comes from (no Origin, Referer or Sec-Fetch-Site) does nothing.
    const anonymous = await web.post(link, { answer: answers }, {});
    expect(anonymous.status).toBe(403);
    expect((await task(taskId)).task.status).toBe('CLARIFICATION_NEEDED');
    // Sent as an older browser would from the link's page: Origin only.
    const done = await web.post(link, { answer: answers }, { origin: web.baseUrl });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your answers were sent');
    expect(done.body).toContain(taskLink(taskId));
    await eventually(async () => expect((await task(taskId)).clarifications.every((c) => c.answer === COMPLETE_ANSWER)).toBe(true), { timeoutMs: 10_000 });
  });

  it('refuses a link used once already: 409, saying so, linking to the task', async () => {
    const link = pathOf(clarification.actions.answer ?? '');
    const again = await web.post(link, { answer: (clarification.questions ?? []).map(() => 'again') });
    expect(again.status).toBe(409);
    expect(again.body).toContain('already used');
    expect(again.body).toContain(taskLink(taskId));
    expect((await web.get(link)).status).toBe(409);
  });

  it('gives an approve link exactly one form, which approves, and nothing to reject with; a reject link only rejects', async () => {
    review1 = await notification('bob', taskId, 'prd-ready-for-review');
    expect(Object.keys(review1.actions).sort()).toEqual(['approve', 'reject']);
    const approve = pathOf(review1.actions.approve ?? '');
    const approvePage = await web.get(approve);
    expect(approvePage.status).toBe(200);
    expect(postFormActions(approvePage.body)).toEqual([approve]);
    // The whole PRD being decided, every section of it, not a summary.
    const asserted = PRD_SECTIONS.filter((s) => !['Feedback so far', 'Change log', 'Written by'].includes(s));
    expect(sectionsMissingFrom(approvePage.body, asserted)).toEqual([]);
    expect(approvePage.body).toContain('<article class="prd" data-prd-version="1">');
    // A link is one action: the approve page hands out no reject form, feedback field or reject link.
    expect(approvePage.body).not.toContain('name="feedback"');
    expect(approvePage.body).not.toContain(pathOf(review1.actions.reject ?? ''));
    expect(approvePage.body).not.toMatch(/reject/i);

    const reject = pathOf(review1.actions.reject ?? '');
    const rejectPage = await web.get(reject);
    expect(rejectPage.status).toBe(200);
    expect(postFormActions(rejectPage.body)).toEqual([reject]);
    expect(rejectPage.body).toContain('name="feedback"');
    expect(rejectPage.body).not.toContain('value="approve"');
    expect(rejectPage.body).not.toContain(approve);

    // Each link's POST refuses the other decision, naming the field, and does nothing.
    const rejectingViaApprove = await web.post(approve, { confirm: 'reject', feedback: 'no' });
    expect(rejectingViaApprove.status).toBe(400);
    expect(rejectingViaApprove.body).toContain('confirm: this link can only approve, not reject');
    const feedbackToApprove = await web.post(approve, { feedback: 'no' });
    expect(feedbackToApprove.status).toBe(400);
    expect(feedbackToApprove.body).toContain('feedback: this link can only approve');
    const approvingViaReject = await web.post(reject, { confirm: 'approve', feedback: 'fine' });
    expect(approvingViaReject.status).toBe(400);
    expect(approvingViaReject.body).toContain('confirm: this link can only reject, not approve');
    expect((await task(taskId)).task.status).toBe('PRD_VALIDATION');

    expect((await web.post(reject, { feedback: '  ' })).status).toBe(400);
    const done = await web.post(reject, { feedback: `Add a CSV export. ${HOSTILE}` });
    expect(done.status).toBe(200);
    expect(done.body).toContain('You rejected the PRD');
    review2 = await notification('bob', taskId, 'prd-ready-for-review', review1.taskVersion + 2);
    expect(review2.prdVersion).toBe(2);
  });

  it('refuses a link to PRD version 1 once version 2 exists: 409, naming the versions, linking to the task', async () => {
    const stale = await web.get(pathOf(review1.actions.approve ?? ''));
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('This link is for PRD version 1; version 2 exists now');
    expect(stale.body).toContain(taskLink(taskId));
    const post = await web.post(pathOf(review1.actions.approve ?? ''), { confirm: 'approve' });
    expect(post.status).toBe(409);
    expect((await task(taskId)).task.status).toBe('PRD_VALIDATION');
  });

  it('refuses an expired link with 410 and a tampered one with 400, each linking to the task', async () => {
    const expiredToken = signer.sign({ ...claimsOf(review2, 'approve'), expiresAt: new Date(Date.now() - 60_000) });
    const expired = await web.get(`/inbox/links/${expiredToken}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired');
    expect(expired.body).toContain(taskLink(taskId));
    expect((await web.post(`/inbox/links/${expiredToken}`, { confirm: 'approve' })).status).toBe(410);

    const genuine = pathOf(review2.actions.approve ?? '').slice('/inbox/links/'.length);
    const [payload = '', signature = ''] = genuine.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tamperedToken = `${Buffer.from(JSON.stringify({ ...forged, u: 'carol' })).toString('base64url')}.${signature}`;
    for (const response of [await web.get(`/inbox/links/${tamperedToken}`), await web.post(`/inbox/links/${tamperedToken}`, { confirm: 'approve' })]) {
      expect(response.status).toBe(400);
      expect(response.body).toContain('This link was altered');
      expect(response.body).toContain(taskLink(taskId));
    }

    const malformed = await web.get('/inbox/links/not-a-link');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('href="/inbox"');
    expect((await task(taskId)).task.status).toBe('PRD_VALIDATION');
  });

  it('refuses a genuinely signed link for someone who is not the approver: 403', async () => {
    const forCarol = signer.sign({ ...claimsOf(review2, 'approve'), userId: 'carol' });
    const page = await web.get(`/inbox/links/${forCarol}`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('Carol is no longer an approver');
    expect(page.body).toContain(taskLink(taskId));
  });

  it('approves with the current link, once even when sent twice at once; its reject sibling is then out of date', async () => {
    const approve = pathOf(review2.actions.approve ?? '');
    const both = await Promise.all([web.post(approve, { confirm: 'approve' }), web.post(approve, { confirm: 'approve' })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const done = both.find((r) => r.status === 200);
    expect(done?.body).toContain('You approved the PRD');
    await eventually(async () => expect((await task(taskId)).task.status).toBe('APPROVED'), { timeoutMs: 10_000 });
    const sibling = await web.post(pathOf(review2.actions.reject ?? ''), { feedback: 'too late' });
    expect(sibling.status).toBe(409);
    expect(sibling.body).toContain('APPROVED');
    const final = await task(taskId);
    expect(final.history.filter((t) => t.actor === 'user:bob').map((t) => t.to)).toEqual(['REQUEST_VALIDATION', 'APPROVED']);
    expect(final.history.at(5)?.feedback).toBe(`Add a CSV export. ${HOSTILE}`);
  });
});
