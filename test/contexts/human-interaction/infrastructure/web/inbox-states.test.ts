import type { Application } from '../../../../../src/app/container';
import { Api, type NotificationView, type TaskView } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { BrowserLike, type Page } from './support/browser-like';

/** The `<li>` of one notification on the inbox page; undefined when the page does not list it. */
function itemOf(page: Page, notificationId: string): string | undefined {
  const start = page.body.indexOf(`data-notification="${notificationId}"`);
  if (start < 0) return undefined;
  const end = page.body.indexOf('</li>\n', page.body.indexOf('<div class="actions">', start));
  return page.body.slice(start, end);
}

const actionLinks = (html: string | undefined) => [...(html ?? '').matchAll(/class="action-link" data-action="(\w+)"/g)].map((m) => m[1]);

/**
 * A real workflow (clarification, answer, PRD v1, rejection, v2, approval) and what each person's
 * inbox says about every notification on the way: whether it still needs them, and only then its
 * action links, in the API and on the page.
 */
describe('the inbox says what still needs you', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  });
  afterAll(() => app.stop());

  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const mine = async (user: string, query = '') =>
    (await api.get<{ notifications: NotificationView[] }>(user, `/api/notifications${query}`)).body.notifications;
  const one = async (user: string, id: string) => (await mine(user)).find((n) => n.id === id);
  const signedIn = async (user: string) => {
    const web = new BrowserLike(baseUrl);
    await web.signIn(user);
    return web;
  };

  it('after an answer, a rejection and an approval, nothing needs anyone and no dead link is offered', async () => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' }))
      .body;

    // The questions need alice, with their answer link, on the page and in the API.
    const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    expect([clarification.state, Object.keys(clarification.actions ?? {})]).toEqual(['needs-you', ['answer']]);
    const alice = await signedIn('alice');
    const asked = itemOf(await alice.get('/inbox'), clarification.id);
    expect(asked).toContain('Needs you');
    expect(asked).toContain('task waiting for answers');
    expect(actionLinks(asked)).toEqual(['answer']);

    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);
    const review1 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    expect(review1.subject).toBe('PRD v1 ready for review: "Better dashboard"');

    // Answered: done, no answer link, and the default "needs me" list leaves it out.
    expect(await one('alice', clarification.id)).toMatchObject({ state: 'done', actions: {}, links: { task: `/api/tasks/${taskId}` } });
    expect((await one('alice', clarification.id))?.links).not.toHaveProperty('answer');
    const answered = await alice.get('/inbox?show=all');
    expect(itemOf(answered, clarification.id)).toContain('Done');
    expect(actionLinks(itemOf(answered, clarification.id))).toEqual([]);
    expect(itemOf(answered, clarification.id)).toContain(`href="/inbox/tasks/${taskId}"`);
    expect(itemOf(await alice.get('/inbox'), clarification.id)).toBeUndefined();

    // Rejected: v2 supersedes the v1 review, which offers nothing any more.
    const v1 = await task(taskId);
    expect((await api.post('bob', `/api/tasks/${taskId}/reject`, { feedback: 'Add a CSV export of the backlog chart.', prdVersion: 1 })).status).toBe(202);
    const review2 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review', v1.task.version + 2);
    expect(review2).toMatchObject({ prdVersion: 2, subject: 'PRD v2 ready for review: "Better dashboard"', state: 'needs-you' });
    expect(Object.keys(review2.actions ?? {}).sort()).toEqual(['approve', 'reject']);
    expect(await one('bob', review1.id)).toMatchObject({ state: 'superseded', supersededBy: 2, actions: {} });
    expect((await mine('bob', '?state=needs-you')).map((n) => n.id)).toEqual([review2.id]);

    const bob = await signedIn('bob');
    const all = await bob.get('/inbox?show=all');
    expect(itemOf(all, review1.id)).toContain('Superseded by v2');
    expect(actionLinks(itemOf(all, review1.id))).toEqual([]);
    expect(itemOf(all, review2.id)).toContain('Needs you');
    expect(itemOf(all, review2.id)).toContain('task waiting for a decision');
    expect(actionLinks(itemOf(all, review2.id))).toEqual(['approve', 'reject']);
    const needsMe = await bob.get('/inbox');
    expect(itemOf(needsMe, review1.id)).toBeUndefined();
    expect(actionLinks(itemOf(needsMe, review2.id))).toEqual(['approve', 'reject']);

    // Approved: the v2 review is done, with its version in the subject and no action link.
    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 2 })).status).toBe(202);
    await notificationFor(api, 'alice', taskId, 'task-approved');
    await eventually(async () => expect((await one('bob', review2.id))?.taskStatus).toBe('APPROVED'), { timeoutMs: 10_000 });
    expect(await one('bob', review2.id)).toMatchObject({ state: 'done', subject: 'PRD v2 ready for review: "Better dashboard"', actions: {} });
    expect(await one('bob', review1.id)).toMatchObject({ state: 'superseded', supersededBy: 2 });
    expect(await one('alice', clarification.id)).toMatchObject({ state: 'done' });
    expect(await mine('bob', '?state=needs-you')).toEqual([]);

    const after = await bob.get('/inbox?show=all');
    expect(itemOf(after, review2.id)).toContain('Done');
    expect(itemOf(after, review2.id)).toContain('PRD v2 ready for review: &quot;Better dashboard&quot;');
    expect(itemOf(after, review2.id)).toContain('task approved');
    expect(actionLinks(after.body)).toEqual([]);
    expect(after.body).not.toMatch(/>[^<]*(APPROVED|PRD_VALIDATION)[^<]*</); // no raw status in the text (CSS classes may name it)
    const nothing = await bob.get('/inbox');
    expect(nothing.body).toContain('Nothing needs you now.');
    expect(actionLinks(nothing.body)).toEqual([]);
  });

  it('"Mark all read" (a same-origin form) clears the unread count; another site cannot', async () => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Unread things', description: 'Make the reports page better.' }))
      .body;
    await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const alice = await signedIn('alice');
    const before = await alice.get('/inbox');
    const unread = (await mine('alice')).filter((n) => n.readAt === null).length;
    expect(unread).toBeGreaterThan(0);
    expect(before.body).toContain(`data-unread="${unread}"`);
    expect(before.body).toContain('action="/inbox/notifications/read-all"');

    const forged = await alice.post('/inbox/notifications/read-all', { show: 'all' }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect((await mine('alice')).filter((n) => n.readAt === null).length).toBe(unread);

    const marked = await alice.post('/inbox/notifications/read-all', { show: 'all' });
    expect([marked.status, marked.location]).toEqual([303, '/inbox?show=all']);
    const page = await alice.get(marked.location ?? '');
    expect(page.body).not.toContain('data-unread=');
    expect(page.body).not.toContain('class="new-marker"');
    expect((await mine('alice')).every((n) => n.readAt !== null)).toBe(true);
  });

  it("POST /api/notifications/read-all marks the caller's unread notifications read, and only theirs", async () => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'API reads', description: 'Make the search page better.' })).body;
    await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const unread = (await mine('alice')).filter((n) => n.readAt === null).length;
    const bobUnread = (await mine('bob')).filter((n) => n.readAt === null).length;
    const response = await api.post<{ marked: number }>('alice', '/api/notifications/read-all');
    expect([response.status, response.body]).toEqual([200, { marked: unread }]);
    expect((await mine('alice')).filter((n) => n.readAt === null)).toEqual([]);
    expect((await mine('bob')).filter((n) => n.readAt === null).length).toBe(bobUnread);
    expect((await api.post<{ marked: number }>('alice', '/api/notifications/read-all')).body).toEqual({ marked: 0 });
  });

  it('refuses an unknown ?state= with a 400 naming it', async () => {
    const response = await api.get<{ error: string; issues?: Array<{ field: string }> }>('alice', '/api/notifications?state=whatever');
    expect([response.status, response.body.error, response.body.issues?.map((i) => i.field)]).toEqual([400, 'invalid_request', ['state']]);
  });
});
