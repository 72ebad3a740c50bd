import pino from 'pino';
import type { Application } from '../../src/app/container';
import { TASK_STATUSES } from '../../src/contexts/task-management/contracts';
import { Api, type TaskView } from '../support/api';
import { startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { metricValue, samplesOf, scrape } from '../support/metrics';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';

const HOUR = 3_600_000;

/** How many tasks /metrics reports in each state. */
async function tasksPerState(app: Application): Promise<Record<string, number | undefined>> {
  const { status, text } = await scrape(app);
  expect(status).toBe(200);
  return Object.fromEntries(TASK_STATUSES.map((state) => [state, metricValue(text, 'refinery_tasks', { state })]));
}

const only = (counts: Record<string, number>) => Object.fromEntries(TASK_STATUSES.map((state) => [state, counts[state] ?? 0]));

/**
 * What an operator reads on /metrics while real tasks move through the whole service (HTTP API,
 * in-memory queue, PGlite): tasks per state, how long the oldest has waited, stalled tasks,
 * critical time per message type, the outbox backlog.
 */
describe('/metrics while tasks move', () => {
  let app: Application;
  let api: Api;
  // The service's clock runs with the real one, shifted by what a test adds: time passes without waiting for it.
  let shiftMs = 0;
  beforeAll(async () => {
    app = await startTestApp({
      clock: { now: () => new Date(Date.now() + shiftMs) },
      env: { STALLED_CLARIFICATION_NEEDED_MS: String(HOUR) },
    });
    api = new Api(app);
  });
  afterAll(() => app.stop());

  const status = async (user: string, taskId: string) => (await api.get<TaskView>(user, `/api/tasks/${taskId}`)).body.task.status;

  it('counts tasks per state as they move, and times the messages that moved them', async () => {
    expect(await tasksPerState(app)).toEqual(only({}));

    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    const { taskId } = submitted.body;
    const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    await eventually(async () => expect(await tasksPerState(app)).toEqual(only({ CLARIFICATION_NEEDED: 1 })));

    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    await eventually(async () => expect(await tasksPerState(app)).toEqual(only({ PRD_VALIDATION: 1 })));

    const other = await api.post<{ taskId: string }>('carol', '/api/tasks', { title: 'Night mode', description: 'Make the inbox darker at night.' });
    await eventually(async () => expect(await status('carol', other.body.taskId)).toBe('CLARIFICATION_NEEDED'));
    expect(await tasksPerState(app)).toEqual(only({ PRD_VALIDATION: 1, CLARIFICATION_NEEDED: 1 }));

    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: review.prdVersion })).status).toBe(202);
    expect((await api.post('carol', `/api/tasks/${other.body.taskId}/cancel`, {})).status).toBe(202);
    await eventually(async () => expect(await tasksPerState(app)).toEqual(only({ APPROVED: 1, CANCELLED: 1 })));

    // Every successful handling of a command is one critical-time observation under its type (a
    // re-sent duplicate the inbox drops counts too: it was handled): both create-task commands at least.
    await eventually(async () => {
      const { text } = await scrape(app);
      for (const [type, atLeast] of [
        ['task-management.create-task.v1', 2],
        ['task-management.approve-prd.v1', 1],
      ] as const) {
        const labels = { consumer: 'task-management.commands', type };
        const observed = metricValue(text, 'refinery_message_critical_time_seconds_count', labels) ?? 0;
        expect(observed).toBeGreaterThanOrEqual(atLeast);
        expect(observed).toBe(metricValue(text, 'refinery_messages_handled_total', labels));
      }
      // Everything committed was relayed: no backlog, and the relay has nothing old left to send.
      expect(metricValue(text, 'refinery_outbox_unsent_messages')).toBe(0);
      expect(metricValue(text, 'refinery_outbox_oldest_unsent_age_seconds')).toBe(0);
    });
    // Each move timed the state it left: both tasks left NEW once, REQUEST_VALIDATION three times in all
    // (task one twice: to questions, then to its PRD; task two once), each left CLARIFICATION_NEEDED once.
    const timed = (await scrape(app)).text;
    const leftCount = (state: string) => metricValue(timed, 'refinery_task_time_in_state_seconds_count', { state });
    expect(TASK_STATUSES.map((state) => [state, leftCount(state)])).toEqual([
      ['NEW', 2],
      ['REQUEST_VALIDATION', 3],
      ['CLARIFICATION_NEEDED', 2],
      ['PRD_VALIDATION', 1],
      ['APPROVED', undefined],
      ['CANCELLED', undefined],
      ['FAILED', undefined],
    ]);
    // Terminal states have no "oldest in state": nobody waits on them.
    expect(samplesOf((await scrape(app)).text, 'refinery_task_oldest_in_state_seconds')).toEqual([]);
  });

  it("shows a task waiting past Orchestration's threshold in the stalled gauge, and how long it has waited", async () => {
    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Export', description: 'Export things.' });
    await notificationFor(api, 'alice', submitted.body.taskId, 'clarification-requested');
    const before = (await scrape(app)).text;
    expect(metricValue(before, 'refinery_tasks_stalled', { state: 'CLARIFICATION_NEEDED' })).toBe(0);
    const waited = metricValue(before, 'refinery_task_oldest_in_state_seconds', { state: 'CLARIFICATION_NEEDED' }) ?? -1;
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(waited).toBeLessThan(60);

    shiftMs += 2 * HOUR;
    const after = (await scrape(app)).text;
    expect(metricValue(after, 'refinery_tasks_stalled', { state: 'CLARIFICATION_NEEDED' })).toBe(1);
    expect(samplesOf(after, 'refinery_tasks_stalled').filter((s) => s.value > 0)).toHaveLength(1);
    expect(metricValue(after, 'refinery_task_oldest_in_state_seconds', { state: 'CLARIFICATION_NEEDED' })).toBeGreaterThanOrEqual(2 * 3_600);

    const inState = (text: string, suffix: string, labels: Record<string, string> = {}) =>
      metricValue(text, `refinery_task_time_in_state_seconds_${suffix}`, { state: 'CLARIFICATION_NEEDED', ...labels }) ?? 0;
    expect((await api.post('alice', `/api/tasks/${submitted.body.taskId}/cancel`, {})).status).toBe(202);
    await eventually(async () => expect(metricValue((await scrape(app)).text, 'refinery_tasks_stalled', { state: 'CLARIFICATION_NEEDED' })).toBe(0));
    // Leaving it after two hours put one more observation in the histogram, above the one-hour bucket.
    const cancelled = (await scrape(app)).text;
    expect(inState(cancelled, 'count') - inState(after, 'count')).toBe(1);
    expect(inState(cancelled, 'bucket', { le: '3600' }) - inState(after, 'bucket', { le: '3600' })).toBe(0);
    expect(inState(cancelled, 'bucket', { le: '14400' }) - inState(after, 'bucket', { le: '14400' })).toBe(1);
    expect(inState(cancelled, 'sum') - inState(after, 'sum')).toBeGreaterThanOrEqual(2 * 3_600);
  });
});

type LogLine = Record<string, unknown> & { msg: string; source?: string };

describe('/metrics while database queries fail', () => {
  let app: Application;
  const lines: LogLine[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    app = await startTestApp({ logger });
  });
  afterAll(() => app.stop());

  it('still answers 200 with the messaging figures, leaves the database figures out and says why; they return with the database', async () => {
    const healthy = (await scrape(app)).text;
    expect(metricValue(healthy, 'refinery_tasks', { state: 'NEW' })).toBe(0);
    expect(metricValue(healthy, 'refinery_metrics_source_up', { source: 'outbox' })).toBe(1);

    // Every metrics query now fails (the tables are not there), while the service's connection lives on.
    const tables = [
      ['messaging', 'outbox'],
      ['task_management', 'tasks'],
      ['orchestration', 'task_projection'],
    ] as const;
    for (const [schema, table] of tables) await app.database.dataSource.query(`ALTER TABLE ${schema}.${table} RENAME TO ${table}_away`);
    try {
      const { status, text } = await scrape(app);
      expect(status).toBe(200);
      for (const name of [
        'refinery_tasks',
        'refinery_task_oldest_in_state_seconds',
        'refinery_tasks_stalled',
        'refinery_outbox_unsent_messages',
        'refinery_outbox_oldest_unsent_age_seconds',
      ]) {
        expect([name, samplesOf(text, name)]).toEqual([name, []]);
      }
      for (const source of ['outbox', 'task-management.tasks', 'orchestration.task_projection']) {
        expect(metricValue(text, 'refinery_metrics_source_up', { source })).toBe(0);
      }
      expect(metricValue(text, 'refinery_metrics_source_up', { source: 'message-queue' })).toBe(1);
      expect(metricValue(text, 'refinery_consumer_queue_depth', { consumer: 'task-management.commands' })).toBe(0);
      expect(
        lines
          .filter((l) => l.msg.startsWith('metrics source unavailable'))
          .map((l) => l.source)
          .sort(),
      ).toEqual(expect.arrayContaining(['orchestration.task_projection', 'outbox', 'task-management.tasks']));
    } finally {
      for (const [schema, table] of tables) await app.database.dataSource.query(`ALTER TABLE ${schema}.${table}_away RENAME TO ${table}`);
    }
    await eventually(async () => expect(metricValue((await scrape(app)).text, 'refinery_tasks', { state: 'NEW' })).toBe(0));
    expect(lines.some((l) => l.msg === 'metrics source answers again' && l.source === 'outbox')).toBe(true);
  });
});
