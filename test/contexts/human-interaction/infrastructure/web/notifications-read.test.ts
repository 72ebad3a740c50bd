import type { Application } from '../../../../../src/app/container';
import { Api, type NotificationView } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { BrowserLike, pathOf } from './support/browser-like';

interface ListedNotification extends NotificationView {
  readAt: string | null;
  actions: { answer?: string; approve?: string; reject?: string };
}

/** The notifications an inbox page lists: id, whether it is shown as unread, and whether it carries the "new" marker. */
function notificationsOn(page: string): Array<{ id: string; unread: boolean; marked: boolean }> {
  return page
    .split('<li class="notification')
    .slice(1)
    .map((chunk) => ({
      id: /data-notification="([^"]+)"/.exec(chunk)?.[1] ?? '',
      unread: chunk.startsWith(' unread"'),
      marked: chunk.includes('<div class="subject"><span class="new-marker">new</span> '),
    }));
}

/** The number the notifications heading shows, 0 when it shows none. */
function unreadCountOn(page: string): number {
  const heading = /<h2>Notifications(.*?)<\/h2>/.exec(page)?.[1];
  if (heading === undefined) throw new Error('no notifications heading on the page');
  if (heading === '') return 0;
  const count = /^ <span class="unread-count" data-unread="(\d+)">(\d+) new<\/span>$/.exec(heading);
  if (!count || count[1] !== count[2]) throw new Error(`unexpected heading: ${heading}`);
  return Number(count[1]);
}

/**
 * Seeing a task reads its notifications: opening its page from the inbox, opening one of its links
 * while signed in as the link's person, or using a link. The inbox shows what is still unread.
 */
describe('notifications become read when their task is opened', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let alice: BrowserLike;
  let bob: BrowserLike;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
    alice = new BrowserLike(baseUrl);
    bob = new BrowserLike(baseUrl);
    await alice.signIn('alice');
    await bob.signIn('bob');
  });
  afterAll(() => app.stop());

  const submitVague = async (title: string) => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title, description: 'Make the dashboard better.' })).body;
    return { taskId, notification: await notificationFor(api, 'alice', taskId, 'clarification-requested') };
  };
  const listed = async (user: string, id: string): Promise<ListedNotification> => {
    const found = (await api.get<{ notifications: ListedNotification[] }>(user, '/api/notifications')).body.notifications.find((n) => n.id === id);
    if (!found) throw new Error(`${user} has no notification ${id}`);
    return found;
  };
  const answerByApi = async (taskId: string, questions: readonly string[] | null | undefined) =>
    expect(
      (await api.post('alice', `/api/tasks/${taskId}/answers`, { answers: (questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER })) }))
        .status,
    ).toBe(202);

  let first: { taskId: string; notification: NotificationView };
  let second: { taskId: string; notification: NotificationView };

  it('shows unread notifications distinctly, marked "new", with their number in the heading', async () => {
    first = await submitVague('First dashboard');
    second = await submitVague('Second dashboard');
    const inbox = await alice.get('/inbox');
    expect(notificationsOn(inbox.body)).toEqual([
      { id: second.notification.id, unread: true, marked: true },
      { id: first.notification.id, unread: true, marked: true },
    ]);
    expect(unreadCountOn(inbox.body)).toBe(2);
    expect(inbox.body).toContain('<title>Inbox (2 new) · Refinery</title>');
  });

  it("reads a task's notifications when its page is opened, and only that task's, only for that person", async () => {
    expect((await alice.get(`/inbox/tasks/${first.taskId}`)).status).toBe(200);

    const inbox = await alice.get('/inbox');
    expect(notificationsOn(inbox.body)).toEqual([
      { id: second.notification.id, unread: true, marked: true },
      { id: first.notification.id, unread: false, marked: false },
    ]);
    expect(unreadCountOn(inbox.body)).toBe(1);
    expect((await listed('alice', first.notification.id)).readAt).toEqual(expect.any(String));
    expect((await listed('alice', second.notification.id)).readAt).toBeNull();

    // Bob's review notification for the first task stays unread when Alice opens it; Bob opening it reads it.
    await answerByApi(first.taskId, first.notification.questions);
    const review = await notificationFor(api, 'bob', first.taskId, 'prd-ready-for-review');
    expect((await alice.get(`/inbox/tasks/${first.taskId}`)).status).toBe(200);
    expect((await listed('bob', review.id)).readAt).toBeNull();
    expect(unreadCountOn((await bob.get('/inbox')).body)).toBeGreaterThanOrEqual(1);
    await bob.get(`/inbox/tasks/${first.taskId}`);
    expect((await listed('bob', review.id)).readAt).toEqual(expect.any(String));
    expect(notificationsOn((await bob.get('/inbox')).body).find((n) => n.id === review.id)).toEqual({ id: review.id, unread: false, marked: false });
  });

  it('reads them when a link is opened by its person signed in, but not by a prefetch without a session, nor by someone else', async () => {
    await answerByApi(second.taskId, second.notification.questions);
    const review = await notificationFor(api, 'bob', second.taskId, 'prd-ready-for-review');
    const approveLink = pathOf((await listed('bob', review.id)).actions.approve ?? '');

    const anonymous = await new BrowserLike(baseUrl).get(approveLink);
    expect(anonymous.status).toBe(200);
    expect((await alice.get(approveLink)).status).toBe(200);
    expect((await listed('bob', review.id)).readAt).toBeNull();

    expect((await bob.get(approveLink)).status).toBe(200);
    expect((await listed('bob', review.id)).readAt).toEqual(expect.any(String));
    // Opening changed nothing else: the task still awaits the decision.
    expect((await api.get<{ task: { status: string } }>('bob', `/api/tasks/${second.taskId}`)).body.task.status).toBe('PRD_VALIDATION');
  });

  it('reads them when a link is used, signed in or not', async () => {
    const third = await submitVague('Third dashboard');
    const answerLink = pathOf((await listed('alice', third.notification.id)).actions.answer ?? '');
    const fields = Object.fromEntries((third.notification.questions ?? []).map((_, i) => [`answer-${i}`, COMPLETE_ANSWER]));
    expect((await listed('alice', third.notification.id)).readAt).toBeNull();
    const used = await new BrowserLike(baseUrl).post(answerLink, fields);
    expect(used.status).toBe(200);
    expect((await listed('alice', third.notification.id)).readAt).toEqual(expect.any(String));
    await eventually(
      async () => expect((await api.get<{ task: { status: string } }>('alice', `/api/tasks/${third.taskId}`)).body.task.status).toBe('PRD_VALIDATION'),
      {
        timeoutMs: 10_000,
      },
    );
  });
});
