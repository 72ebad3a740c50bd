import { loadConfig } from '../../../../../src/app/config';
import type { Application } from '../../../../../src/app/container';
import { alertRecipientsOf } from '../../../../../src/contexts/human-interaction/application/alerts/alert-recipients';
import { humanInteractionOptions } from '../../../../../src/contexts/human-interaction/human-interaction.options';
import { linkClaimsFor } from '../../../../../src/contexts/human-interaction/domain/action-link';
import { ActionLinkSigner } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { RedriveTask, redriveTaskId, WorkflowStalled } from '../../../../../src/contexts/orchestration/contracts';
import { TaskSnapshotPublished, TaskStatusChanged } from '../../../../../src/contexts/task-management/contracts';
import { InMemoryMessageQueue } from '../../../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../../src/shared/messaging/envelope';
import { Api, type NotificationView, type TaskView } from '../../../../support/api';
import { startTestApp, TEST_LINK_SECRET, transportOf } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { TaskStory } from '../../../../support/task-story';

const ALERTS_CONSUMER = 'human-interaction.alerts';

/** A notification as GET /api/notifications shows it, with the fields alerts use. */
type AlertView = NotificationView & { readonly subject: string; readonly actions?: Record<string, string> };

/**
 * Alerts on the whole service (in-memory queue, in-memory PGlite): stall events published as
 * orchestration publishes them, task events as task management does, the alert recipient (the
 * one admin, `root`) reading the in-app inbox and following the links.
 */
describe('alerts to the alert recipients', () => {
  let app: Application;
  let api: Api;
  let queue: InMemoryMessageQueue;

  beforeAll(async () => {
    app = await startTestApp();
    api = new Api(app);
    queue = transportOf(app, InMemoryMessageQueue);
  }, 60_000);
  afterAll(() => app.stop());

  const alertsOf = async (taskId: string, kind?: string): Promise<AlertView[]> => {
    const { body } = await api.get<{ notifications: AlertView[] }>('root', '/api/notifications');
    return body.notifications.filter((n) => n.taskId === taskId && n.kind.startsWith('alert-') && (kind === undefined || n.kind === kind));
  };
  const statusOf = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task;
  /** Whether the alerts consumer has handled (and recorded) these messages. */
  const handled = async (...messageIds: string[]) => {
    const rows: unknown[] = await app.database.dataSource.query(`SELECT 1 FROM messaging.inbox WHERE consumer = $1 AND message_id = ANY($2::uuid[])`, [
      ALERTS_CONSUMER,
      messageIds,
    ]);
    expect(rows).toHaveLength(messageIds.length);
  };
  const stallOf = (taskId: string, status: string, taskVersion: number, since = new Date(Date.now() - 90_000)): Envelope =>
    createEnvelope(
      message(WorkflowStalled, taskId, {
        taskId,
        status,
        taskVersion,
        inStatusSince: since.toISOString(),
        thresholdMs: 60_000,
        detectedAt: new Date(since.getTime() + 90_000).toISOString(),
        redriven: [`human-interaction.send-notification.v1`],
      }),
    );
  /** A vague request, left waiting for the requester's answers. */
  const waitingForAnswers = async (): Promise<{ taskId: string; version: number }> => {
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    const asked = await notificationFor(api, 'alice', body.taskId, 'clarification-requested');
    return { taskId: body.taskId, version: asked.taskVersion };
  };

  it('notifies once per stall episode however often the stall is reported, says "moved on" once, and notifies again for a new stall', async () => {
    const { taskId, version } = await waitingForAnswers();
    const first = stallOf(taskId, 'CLARIFICATION_NEEDED', version);
    const again = stallOf(taskId, 'CLARIFICATION_NEEDED', version);
    await app.transport.publishEvent(first);
    await app.transport.publishEvent(again);
    await app.transport.publishEvent(first);
    await eventually(() => handled(first.messageId, again.messageId));
    const stalled = await alertsOf(taskId, 'alert-stalled');
    expect(stalled).toHaveLength(1);
    expect(stalled[0]?.subject).toBe(`Stalled: "Better dashboard" has been in CLARIFICATION_NEEDED for 1 min 30 s`);
    expect(Object.keys(stalled[0]?.actions ?? {})).toEqual(['redrive']);

    // The requester answers: the task moves on, and the episode closes with one "moved on".
    const { body } = await api.get<TaskView>('alice', `/api/tasks/${taskId}`);
    const answers = body.clarifications.map((c) => ({ question: c.question, answer: COMPLETE_ANSWER }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);
    await eventually(async () => expect((await statusOf(taskId)).status).toBe('PRD_VALIDATION'), { timeoutMs: 10_000 });
    const movedOn = await eventually(async () => {
      const found = await alertsOf(taskId, 'alert-moved-on');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(movedOn[0]?.subject).toMatch(/^Moved on: "Better dashboard" is now (REQUEST_VALIDATION|PRD_VALIDATION) \(stalled in CLARIFICATION_NEEDED before\)$/);

    // The old stall reported once more changes nothing; a stall of the new state is a new episode.
    const late = stallOf(taskId, 'CLARIFICATION_NEEDED', version);
    const review = (await statusOf(taskId)).version;
    const second = stallOf(taskId, 'PRD_VALIDATION', review);
    await app.transport.publishEvent(late);
    await app.transport.publishEvent(second);
    await eventually(() => handled(late.messageId, second.messageId));
    const now = await alertsOf(taskId, 'alert-stalled');
    expect(now.map((n) => [n.taskVersion, n.subject.replace(/ for .*/, '')])).toEqual([
      [review, 'Stalled: "Better dashboard" has been in PRD_VALIDATION'],
      [version, 'Stalled: "Better dashboard" has been in CLARIFICATION_NEEDED'],
    ]);
    expect(await alertsOf(taskId, 'alert-moved-on')).toHaveLength(1);
  });

  it('alerts once for a task that failed, however often it is announced', async () => {
    const failed = TaskStory.created({ title: 'Forecast churn' }).startValidation().fail('the agent gave up: no data source named');
    const announced = createEnvelope(message(TaskStatusChanged, failed.taskId, failed.snapshot()));
    const reannounced = createEnvelope(message(TaskSnapshotPublished, failed.taskId, failed.snapshot()));
    await app.transport.publishEvent(announced);
    await app.transport.publishEvent(reannounced);
    await app.transport.publishEvent(announced);
    const alerts = await eventually(async () => {
      const found = await alertsOf(failed.taskId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(alerts[0]).toMatchObject({ kind: 'alert-task-failed', subject: 'Failed: "Forecast churn" could not be completed', taskVersion: 3 });
    expect(alerts[0]?.actions ?? {}).toEqual({});
    // Both announcements reached the view (the requester's own notification says so); still one alert.
    await notificationFor(api, 'alice', failed.taskId, 'task-failed');
    const rows: unknown[] = await app.database.dataSource.query(
      `SELECT 1 FROM messaging.inbox WHERE consumer = 'human-interaction.task-events' AND message_id = ANY($1::uuid[])`,
      [[announced.messageId, reannounced.messageId]],
    );
    expect(rows).toHaveLength(2);
    expect(await alertsOf(failed.taskId)).toHaveLength(1);
  });

  describe('the re-drive link', () => {
    const page = async (path: string, method: 'GET' | 'POST' = 'GET') => {
      const response = await app.http.inject({
        method,
        url: path,
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } : {},
        ...(method === 'POST' ? { payload: 'confirm=redrive' } : {}),
      });
      return { status: response.statusCode, html: response.body, csp: response.headers['content-security-policy'] };
    };
    const stalledAlert = async () => {
      const { taskId, version } = await waitingForAnswers();
      await app.transport.publishEvent(stallOf(taskId, 'CLARIFICATION_NEEDED', version));
      const [alert] = await eventually(async () => {
        const found = await alertsOf(taskId, 'alert-stalled');
        expect(found).toHaveLength(1);
        return found;
      });
      const url = alert?.actions?.['redrive'] ?? '';
      return { taskId, version, alert, path: url.startsWith('/') ? url : new URL(url).pathname };
    };

    it('shows the stall and one same-origin form, re-drives once, and refuses a second use', async () => {
      const { taskId, version, path } = await stalledAlert();
      const shown = await page(path);
      expect(shown.status).toBe(200);
      expect(shown.csp).toContain("script-src 'self'");
      expect(shown.html).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(shown.html).toContain('State: CLARIFICATION_NEEDED');
      expect(shown.html).toContain('What the scanner already tried: sent human-interaction.send-notification.v1 again');
      expect(shown.html.match(new RegExp(`<form[^>]*method="post"[^>]*action="${path}"`, 'g'))).toHaveLength(1);

      const used = await page(path, 'POST');
      expect(used.status).toBe(200);
      expect(used.html).toContain('Re-drive sent');
      const sent: Array<{ envelope: { messageId: string; type: string; payload: unknown } }> = await app.database.dataSource.query(
        `SELECT envelope FROM messaging.outbox WHERE envelope->>'type' = $1 AND message_key = $2`,
        [RedriveTask.type, taskId],
      );
      expect(sent.map((r) => r.envelope.messageId)).toEqual([redriveTaskId(taskId, version)]);
      expect(sent[0]?.envelope.payload).toEqual({ taskId, taskVersion: version, requestedBy: 'user:root' });

      const reused = await page(path, 'POST');
      expect(reused.status).toBe(409);
      expect(reused.html).toContain('This link was already used');
      const after: unknown[] = await app.database.dataSource.query(`SELECT 1 FROM messaging.outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [
        RedriveTask.type,
        taskId,
      ]);
      expect(after).toHaveLength(1);
    });

    it('refuses a tampered link and an expired one, each with a page saying so', async () => {
      const { taskId, version, alert, path } = await stalledAlert();
      const token = path.slice('/inbox/links/'.length);
      const [body = '', signature = ''] = token.split('.');
      const flipped = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const tampered = await page(`/inbox/links/${flipped}`, 'POST');
      expect(tampered.status).toBe(400);
      expect(tampered.html).toContain('This link was altered');
      expect(tampered.html).toContain('Refinery cannot trust it');

      const claims = linkClaimsFor(
        {
          notificationId: alert?.id ?? '',
          recipientId: 'root',
          taskId,
          taskVersion: version,
          prdVersion: null,
          createdAt: new Date(Date.now() - 73 * 3_600_000),
        },
        'redrive',
        72 * 3_600_000,
      );
      const expired = await page(`/inbox/links/${new ActionLinkSigner(TEST_LINK_SECRET).sign(claims)}`);
      expect(expired.status).toBe(410);
      expect(expired.html).toContain('This link has expired');
      // Neither did anything: the real link still works.
      expect((await page(path)).status).toBe(200);
    });

    it('answers "out of date" once the task has moved on', async () => {
      const { taskId, path } = await stalledAlert();
      const { body } = await api.get<TaskView>('alice', `/api/tasks/${taskId}`);
      await api.post('alice', `/api/tasks/${taskId}/answers`, { answers: body.clarifications.map((c) => ({ question: c.question, answer: COMPLETE_ANSWER })) });
      await eventually(async () => expect(await alertsOf(taskId, 'alert-moved-on')).toHaveLength(1), { timeoutMs: 10_000 });
      const stale = await page(path, 'POST');
      expect(stale.status).toBe(409);
      expect(stale.html).toContain('This link is out of date');
    });
  });

  describe('a stall event that is not one', () => {
    const deadLetter = (messageId: string) =>
      eventually(async () => {
        const found = (await queue.listDeadLetters(ALERTS_CONSUMER)).find((d) => (d.message as { messageId?: string }).messageId === messageId);
        if (!found) throw new Error(`${messageId} is not dead-lettered yet`);
        return found;
      });

    it('is dead-lettered with the fields that are wrong', async () => {
      const valid = stallOf('task-x', 'NEW', 1);
      const broken = { ...valid, payload: { ...(valid.payload as object), taskVersion: 'two', redriven: undefined } };
      await queue.publishUnchecked('event', broken);
      const letter = await deadLetter(valid.messageId);
      expect(letter.errorMessage).toContain('taskVersion');
      expect(letter.errorMessage).toContain('redriven');
    });

    it('is dead-lettered, saying why, when it names a state no task stalls in', async () => {
      const finished = stallOf('task-y', 'APPROVED', 4);
      await app.transport.publishEvent(finished);
      const letter = await deadLetter(finished.messageId);
      expect(letter.errorClass).toBe('InvalidMessageError');
      expect(letter.errorMessage).toContain('payload.status: "APPROVED" is not a state a task can stall in');
      expect(letter.attempts).toBe(1);
    });
  });
});

describe('who receives alerts', () => {
  const users = [
    { id: 'alice', name: 'Alice', roles: ['requester' as const], token: 'alice-secret-token' },
    { id: 'root', name: 'Root', roles: ['admin' as const], token: 'root-secret-token' },
    { id: 'ops', name: 'Ops', roles: ['approver' as const, 'admin' as const], token: 'ops-secret-token' },
  ];

  it('is every admin by default, else exactly ALERT_RECIPIENTS', () => {
    expect(alertRecipientsOf(humanInteractionOptions({ users, linkSecret: TEST_LINK_SECRET }))).toEqual(['root', 'ops']);
    expect(alertRecipientsOf(humanInteractionOptions({ users, linkSecret: TEST_LINK_SECRET, alertRecipients: ['alice'] }))).toEqual(['alice']);
  });

  it('refuses to start with a recipient who is not a configured user, or an empty list, naming ALERT_RECIPIENTS', () => {
    expect(() => humanInteractionOptions({ users, linkSecret: TEST_LINK_SECRET, alertRecipients: ['nobody'] })).toThrow(
      'ALERT_RECIPIENTS names nobody, who is not a configured user',
    );
    expect(() => loadConfig({ ALERT_RECIPIENTS: ' , ' })).toThrow(/ALERT_RECIPIENTS: name at least one user id/);
    expect(loadConfig({ ALERT_RECIPIENTS: 'root, ops' }).ALERT_RECIPIENTS).toEqual(['root', 'ops']);
  });
});
