import type { Api, NotificationView, TaskView } from './api';
import { eventually } from './eventually';

export const COMPLETE_ANSWER =
  'Problem: support leads cannot see backlog trends, so SLA breaches surprise them. For: support team leads. ' +
  'Outcome: a rising backlog is spotted within a day so that SLAs hold. Acceptance criteria: the dashboard must show open tickets ' +
  'per day for 30 days and should highlight days above the SLA threshold. Constraints: must load in under 2 seconds.';

/** Waits for `user`'s notification of `kind` about `taskId` (optionally for one task version). */
export function notificationFor(api: Api, user: string, taskId: string, kind: string, taskVersion?: number, timeoutMs = 20_000): Promise<NotificationView> {
  return eventually(
    async () => {
      const { body } = await api.get<{ notifications: NotificationView[] }>(user, '/api/notifications');
      const found = body.notifications.find((n) => n.taskId === taskId && n.kind === kind && (taskVersion === undefined || n.taskVersion === taskVersion));
      if (!found) throw new Error(`${user} has no ${kind} notification for ${taskId} yet`);
      return found;
    },
    { timeoutMs, intervalMs: 20 },
  );
}

/**
 * The README's walk-through: a vague request goes through a clarification, an answer, a PRD, a
 * rejection with feedback, a second PRD version and an approval. Asserts what the people see at
 * each step and the whole transition history; returns the final status.
 */
export async function refineVagueRequestToApproval(api: Api): Promise<string> {
  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
  expect(submitted.status).toBe(202);
  const { taskId } = submitted.body;

  const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
  expect(clarification.questions?.length).toBeGreaterThan(0);
  expect((await task(taskId)).task.status).toBe('CLARIFICATION_NEEDED');

  const answers = (clarification.questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER }));
  expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);

  const review1 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
  expect(review1.prdVersion).toBe(1);
  const v1 = await task(taskId);
  expect(v1.task.status).toBe('PRD_VALIDATION');
  expect(v1.prd?.version).toBe(1);
  expect(v1.prd?.document.clarificationLog.length).toBe(answers.length);

  const feedback = 'Add a CSV export of the backlog chart for the weekly report.';
  expect((await api.post('bob', `/api/tasks/${taskId}/reject`, { feedback, prdVersion: 1 })).status).toBe(202);

  const review2 = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review', v1.task.version + 2);
  expect(review2.prdVersion).toBe(2);
  const v2 = await eventually(async () => {
    const view = await task(taskId);
    expect(view.prd?.version).toBe(2);
    return view;
  });
  expect(v2.prdVersions).toEqual([1, 2]);
  expect(v2.prd?.document.feedback).toEqual([{ prdVersion: 1, feedback }]);
  expect(v2.prd?.document.changeLog).toEqual([expect.objectContaining({ feedback: 1, added: [expect.stringMatching(/^FR-\d+$/)] })]);
  expect(v2.prd?.document.functionalRequirements.map((r) => r.description)).toContainEqual(expect.stringContaining('CSV export'));
  expect(v1.prd?.document.functionalRequirements.map((r) => r.description)).not.toContainEqual(expect.stringContaining('CSV export'));

  expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 2 })).status).toBe(202);
  await notificationFor(api, 'alice', taskId, 'task-approved');

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
  return final.task.status;
}
