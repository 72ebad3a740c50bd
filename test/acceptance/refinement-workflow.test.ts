import type { Application } from '../../src/app/container';
import { Api, type NotificationView, type TaskView } from '../support/api';
import { startTestApp } from '../support/app';
import { eventually } from '../support/eventually';

/**
 * The README's walk-through, as a test: a vague request goes through a clarification, an answer,
 * a PRD, a rejection with feedback, a second PRD version and an approval, all through the HTTP API,
 * the in-memory queue and the real persistence code (PGlite).
 */
describe('a feature request from submission to an approved PRD', () => {
  let app: Application;
  let api: Api;
  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app);
  });
  afterAll(() => app.stop());

  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const notificationFor = (user: string, taskId: string, kind: string, taskVersion?: number) =>
    eventually(
      async () => {
        const { body } = await api.get<{ notifications: NotificationView[] }>(user, '/api/notifications');
        const found = body.notifications.find((n) => n.taskId === taskId && n.kind === kind && (taskVersion === undefined || n.taskVersion === taskVersion));
        if (!found) throw new Error(`${user} has no ${kind} notification for ${taskId} yet`);
        return found;
      },
      { timeoutMs: 15_000 },
    );

  it('takes a vague request to APPROVED and records every transition with its cause', async () => {
    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    expect(submitted.status).toBe(202);
    const { taskId } = submitted.body;

    const clarification = await notificationFor('alice', taskId, 'clarification-requested');
    expect(clarification.questions?.length).toBeGreaterThan(0);
    expect((await task(taskId)).task.status).toBe('CLARIFICATION_NEEDED');

    const answers = (clarification.questions ?? []).map((question) => ({
      question,
      answer:
        'Problem: support agents cannot see ticket backlog trends, so they miss SLA breaches. ' +
        'It is for support team leads. Outcome: leads spot a rising backlog within a day so that SLAs hold. ' +
        'Acceptance criteria: the dashboard must show open tickets per day for 30 days; it should highlight days above the SLA threshold. ' +
        'Constraints: must load in under 2 seconds and must not need a new database.',
    }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);

    const review1 = await notificationFor('bob', taskId, 'prd-ready-for-review');
    expect(review1.prdVersion).toBe(1);
    const v1 = await task(taskId);
    expect(v1.task.status).toBe('PRD_VALIDATION');
    expect(v1.prd?.version).toBe(1);
    expect(v1.prd?.document.clarificationLog.length).toBe(answers.length);

    const feedback = 'Add a CSV export of the backlog chart for the weekly report.';
    expect((await api.post('bob', `/api/tasks/${taskId}/reject`, { feedback, prdVersion: 1 })).status).toBe(202);

    const review2 = await notificationFor('bob', taskId, 'prd-ready-for-review', v1.task.version + 2);
    expect(review2.prdVersion).toBe(2);
    const v2 = await task(taskId);
    expect(v2.prd?.version).toBe(2);
    expect(v2.prdVersions).toEqual([1, 2]);
    expect(v2.prd?.document.feedbackAddressed).toEqual([expect.stringContaining(feedback)]);
    expect(v2.prd?.document.functionalRequirements.map((r) => r.description)).toContainEqual(expect.stringContaining('CSV export'));
    expect(v1.prd?.document.functionalRequirements.map((r) => r.description)).not.toContainEqual(expect.stringContaining('CSV export'));

    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 2 })).status).toBe(202);
    await notificationFor('alice', taskId, 'task-approved');

    const final = await eventually(async () => {
      const view = await task(taskId);
      expect(view.task.status).toBe('APPROVED');
      return view;
    });
    expect(final.history.map((t) => [t.from, t.to, t.actor])).toEqual([
      [null, 'NEW', 'user:alice'],
      ['NEW', 'REQUEST_VALIDATION', 'service:orchestration'],
      ['REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'service:product-manager-agent'],
      ['CLARIFICATION_NEEDED', 'REQUEST_VALIDATION', 'user:alice'],
      ['REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent'],
      ['PRD_VALIDATION', 'REQUEST_VALIDATION', 'user:bob'],
      ['REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent'],
      ['PRD_VALIDATION', 'APPROVED', 'user:bob'],
    ]);
    expect(final.history.map((t) => t.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(final.history[2]?.questions).toEqual(clarification.questions);
    expect(final.history[3]?.answers).toEqual(answers);
    expect(final.history[5]).toMatchObject({ feedback, prdVersion: 1 });
    expect(final.history[7]).toMatchObject({ prdVersion: 2 });
    expect(await app.queue.listDeadLetters()).toEqual([]);
  }, 30_000);

  it('refuses a decision on a task that is not awaiting one, and an invalid body, saying why', async () => {
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Export', description: 'Export things.' });
    await notificationFor('alice', body.taskId, 'clarification-requested');
    const early = await api.post<{ error: string }>('bob', `/api/tasks/${body.taskId}/approve`, {});
    expect(early.status).toBe(409);
    const invalid = await api.post<{ issues: Array<{ field: string }> }>('alice', '/api/tasks', { title: '', description: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((i) => i.field)).toContain('title');
    expect((await api.get('alice', '/api/tasks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  }, 30_000);
});
