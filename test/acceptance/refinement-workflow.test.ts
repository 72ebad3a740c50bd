import type { Application } from '../../src/app/container';
import { Api } from '../support/api';
import { startTestApp } from '../support/app';
import { notificationFor as sharedNotificationFor, refineVagueRequestToApproval } from '../support/refinement-scenario';

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

  const notificationFor = (user: string, taskId: string, kind: string) => sharedNotificationFor(api, user, taskId, kind);

  it('takes a vague request to APPROVED and records every transition with its cause', async () => {
    await expect(refineVagueRequestToApproval(api)).resolves.toBe('APPROVED');
    expect(await app.queue.listDeadLetters()).toEqual([]);
    // One request, one correlation id: every message about the task carries the task id.
    const correlations = await app.database.dataSource.query<Array<{ message_key: string; c: string }>>(
      `SELECT DISTINCT message_key, envelope->>'correlationId' AS c FROM messaging.outbox WHERE message_key <> 'orchestration.open-tasks'`,
    );
    expect(correlations.length).toBeGreaterThan(0);
    for (const row of correlations) expect(row.c).toBe(row.message_key);
  });

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
