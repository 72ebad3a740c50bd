import type { Application } from '../../src/app/container';
import { PrdDrafted } from '../../src/contexts/product-definition/contracts';
import { SendNotification } from '../../src/contexts/human-interaction/contracts';
import { ApprovePrd, TaskSnapshotPublished } from '../../src/contexts/task-management/contracts';
import { message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../src/shared/messaging/in-memory/in-memory-message-queue';
import { Api, type NotificationView, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { dropPublished } from '../support/dropping-transport';
import { eventually } from '../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';
import { BrowserLike, postFormActions } from '../contexts/human-interaction/infrastructure/web/support/browser-like';

interface Conflict {
  readonly message: string;
}

/**
 * A lost `prd-drafted` (dead-lettered, say): human interaction knows the task awaits a decision on
 * PRD version 1 but does not hold the document. It refuses the decision and shows no way to make
 * it until the repair (product definition re-sending the PRD on a re-announcement) brings the PRD;
 * and a task that was approved without its PRD arriving (as an older version allowed) gets it on
 * the next re-announcement of the finished task.
 */
describe('a PRD that never reached human interaction', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  });
  afterAll(() => app.stop());

  const settledVersion = async (taskId: string): Promise<unknown> =>
    (
      await app.database.dataSource.query<Array<{ settled_version: number | null }>>(`SELECT settled_version FROM task_management.tasks WHERE id = $1`, [
        taskId,
      ])
    )[0]?.settled_version;
  const task = async (taskId: string) => (await api.get<TaskView>('bob', `/api/tasks/${taskId}`)).body;
  const submit = async (title: string) => (await api.post<{ taskId: string }>('alice', '/api/tasks', { title, description: COMPLETE_ANSWER })).body.taskId;
  const dropPrdOf = (taskIds: Set<string>) => dropPublished(transportOf(app, InMemoryMessageQueue), (e) => e.type === PrdDrafted.type && taskIds.has(e.key));
  /** Waits for the task to await (or have had) a decision on PRD version 1 that human interaction has no document for. */
  const awaitingWithoutPrd = (taskId: string, status = 'PRD_VALIDATION') =>
    eventually(
      async () => {
        const read = await task(taskId);
        expect([read.task.status, read.task.prdVersion, read.prdVersions, read.prd]).toEqual([status, 1, [], null]);
      },
      { timeoutMs: 15_000 },
    );

  it('refuses the decision (409 "the PRD is still on its way") and offers no way to decide until the PRD arrives, then accepts it', async () => {
    const ids = new Set<string>();
    const dropping = dropPrdOf(ids);
    const taskId = await submit('Backlog trends');
    ids.add(taskId);
    await awaitingWithoutPrd(taskId);
    const bob = new BrowserLike(baseUrl);
    await bob.signIn('bob');

    const refusals = [
      await api.post<Conflict>('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 1 }),
      await api.post<Conflict>('bob', `/api/tasks/${taskId}/approve`),
      await api.post<Conflict>('bob', `/api/tasks/${taskId}/reject`, { prdVersion: 1, feedback: 'More detail' }),
    ];
    for (const refused of refusals) expect([refused.status, refused.body.message]).toEqual([409, expect.stringContaining('the PRD is still on its way')]);
    // The task page offers no decision; a form posted anyway is refused the same way.
    const page = await bob.get(`/inbox/tasks/${taskId}`);
    expect(postFormActions(page.body)).toEqual(['/inbox/logout']);
    const formPost = await bob.post(`/inbox/tasks/${taskId}/approve`, { prdVersion: '1' });
    expect(formPost.status).toBe(409);
    expect(formPost.body).toContain('the PRD is still on its way');
    // Nothing asks bob to review a document he cannot read: no notification, so no approve link.
    const inbox = await api.get<{ notifications: NotificationView[] }>('bob', '/api/notifications');
    expect(inbox.body.notifications.filter((n) => n.taskId === taskId)).toEqual([]);
    // Still refused after the repair re-sent the PRD (and lost it again): the document is what counts.
    await eventually(() => expect(dropping.dropped).toBeGreaterThanOrEqual(2), { timeoutMs: 15_000 });
    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 1 })).status).toBe(409);

    dropping.stop();
    await eventually(async () => expect((await task(taskId)).prdVersions).toEqual([1]), { timeoutMs: 15_000 });
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    expect(review.prdVersion).toBe(1);
    expect(postFormActions((await bob.get(`/inbox/tasks/${taskId}`)).body)).toEqual([
      '/inbox/logout',
      `/inbox/tasks/${taskId}/approve`,
      `/inbox/tasks/${taskId}/reject`,
    ]);
    const approved = await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 1 });

    expect(approved.status).toBe(202);
    await eventually(async () => expect((await task(taskId)).task.status).toBe('APPROVED'), { timeoutMs: 15_000 });
    await notificationFor(api, 'alice', taskId, 'task-approved');
  }, 60_000);

  it('repairs an approved task that has no PRD in human interaction on the next re-announcement', async () => {
    const ids = new Set<string>();
    const dropping = dropPrdOf(ids);
    const taskId = await submit('Backlog alerts');
    ids.add(taskId);
    await awaitingWithoutPrd(taskId);
    // Approved as an older human interaction allowed, without the document: the command reaches
    // task management directly.
    await app.transport.publishCommand(createEnvelope(message(ApprovePrd, taskId, { taskId, userId: 'bob', prdVersion: 1 })));
    await awaitingWithoutPrd(taskId, 'APPROVED');
    // Re-announcements of the finished task while the PRD is still being lost do not end the repair.
    const droppedWhenApproved = dropping.dropped;
    await eventually(() => expect(dropping.dropped).toBeGreaterThan(droppedWhenApproved), { timeoutMs: 15_000 });
    await awaitingWithoutPrd(taskId, 'APPROVED');

    dropping.stop();

    await eventually(
      async () => {
        const read = await task(taskId);
        expect([read.task.status, read.prdVersions, read.prd?.version]).toEqual(['APPROVED', [1], 1]);
      },
      { timeoutMs: 15_000 },
    );
  }, 60_000);

  it('asks again for a final notification that was lost, and confirms the task settled once it is here', async () => {
    const ids = new Set<string>();
    const transport = transportOf(app, InMemoryMessageQueue);
    const dropping = dropPublished(
      transport,
      (e) => e.type === SendNotification.type && ids.has(e.key) && (e.payload as { kind?: string }).kind === 'task-approved',
    );
    let reannounced = 0;
    const counting = dropPublished(transport, (e) => {
      if (e.type === TaskSnapshotPublished.type && ids.has(e.key)) reannounced += 1;
      return false;
    });
    const taskId = await submit('Backlog export');
    ids.add(taskId);
    await eventually(async () => expect((await task(taskId)).prdVersions).toEqual([1]), { timeoutMs: 15_000 });
    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 1 })).status).toBe(202);
    await eventually(() => expect(dropping.dropped).toBeGreaterThanOrEqual(2), { timeoutMs: 15_000 });
    // Not settled while the requester's notification is missing: still re-announced.
    expect([(await task(taskId)).task.status, await settledVersion(taskId)]).toEqual(['APPROVED', null]);
    expect(reannounced).toBeGreaterThanOrEqual(1);

    dropping.stop();

    await notificationFor(api, 'alice', taskId, 'task-approved');
    const { version } = (await task(taskId)).task;
    await eventually(async () => expect(await settledVersion(taskId)).toBe(version), { timeoutMs: 15_000 });
    counting.stop();
  }, 60_000);
});
