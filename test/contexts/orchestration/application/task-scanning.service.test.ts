import { SendNotification } from '../../../../src/contexts/human-interaction/contracts';
import { WorkflowStalled } from '../../../../src/contexts/orchestration/contracts';
import { DEFAULT_ORCHESTRATION_OPTIONS, orchestrationOptions } from '../../../../src/contexts/orchestration/orchestration.options';
import { RepublishOpenTasks, StartValidation } from '../../../../src/contexts/task-management/contracts';
import { deterministicId } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { projectSnapshot } from '../../../../src/contexts/orchestration/domain/task-projection';
import { openTestDatabase } from '../../../support/database';
import { OrchestrationHarness, T0 } from '../support/orchestration.harness';
import { TaskStory } from '../../../support/task-story';
import { memoryLogger } from '../../../support/channel-helpers';
import { eventually } from '../../../support/eventually';
import { TaskScanningService } from '../../../../src/contexts/orchestration/application/task-scanning.service';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

describe('TaskScanningService', () => {
  let db: Database;
  let o: OrchestrationHarness;
  beforeAll(async () => {
    db = await openTestDatabase();
    o = new OrchestrationHarness(db);
  }, 60_000);
  afterAll(() => db?.close());
  beforeEach(() => o.reset());

  const ids = async (taskId: string) => (await o.sentFor(taskId)).map((m) => `${m.type}#${m.messageId}`);

  it('re-sends a step only after redriveAfterMs, with the same message id', async () => {
    const task = TaskStory.created(T0);
    await o.deliver(task, 'created');
    const first = await ids(task.taskId);

    o.clock.advance(DEFAULT_ORCHESTRATION_OPTIONS.redriveAfterMs - 1);
    expect(await o.scanner.sweepOnce()).toEqual({ driven: 0, alerted: 0 });
    expect(await ids(task.taskId)).toEqual(first);

    o.clock.advance(1);
    expect(await o.scanner.sweepOnce()).toEqual({ driven: 1, alerted: 0 });
    expect(await ids(task.taskId)).toEqual([...first, ...first]);
    expect(first).toEqual([`${StartValidation.type}#${deterministicId('start-validation', task.taskId, 1)}`]);
  });

  it('re-sends a notification the human may not have received', async () => {
    const task = TaskStory.created(T0).startValidation(T0).askQuestions(['Which format?'], T0);
    await o.deliver(task);
    o.clock.advance(DEFAULT_ORCHESTRATION_OPTIONS.redriveAfterMs);
    await o.scanner.sweepOnce();

    const sent = await o.sentFor(task.taskId);
    expect(sent.map((m) => m.type)).toEqual([SendNotification.type, SendNotification.type]);
    expect(sent[1]?.messageId).toBe(sent[0]?.messageId);
    expect(sent[1]?.payload).toEqual(sent[0]?.payload);
  });

  it('drives a task it has not driven yet, e.g. one whose kick failed', async () => {
    const task = TaskStory.created(T0);
    await o.unitOfWork.run((tx) => o.repositories(tx).projections.apply(projectSnapshot(task.snapshot()), tx.now));
    expect(await o.scanner.sweepOnce()).toEqual({ driven: 1, alerted: 0 });
    expect(await ids(task.taskId)).toEqual([`${StartValidation.type}#${deterministicId('start-validation', task.taskId, 1)}`]);
  });

  it('while nothing happens, the running sweep prints nothing at info: re-sending a waiting task is a debug line', async () => {
    const task = TaskStory.created(T0).startValidation(T0).askQuestions(['Which format?'], T0);
    await o.deliver(task);
    o.clock.advance(DEFAULT_ORCHESTRATION_OPTIONS.redriveAfterMs);
    const { logger, lines } = memoryLogger('debug');
    const scanner = new TaskScanningService(o.unitOfWork, o.repositories, o.driver(), o.clock, DEFAULT_ORCHESTRATION_OPTIONS, logger);
    scanner.loop.start();
    await eventually(async () => expect(await o.sent(RepublishOpenTasks.type)).not.toHaveLength(0));
    await scanner.loop.stop();

    expect(await o.sentFor(task.taskId)).toHaveLength(2); // the question's notification, then its re-send
    expect(lines.filter((line) => line.level >= 30)).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'task sweep drove tasks', driven: 1, alerted: 0 }));
  });

  it('notifies about a terminal task once and never again', async () => {
    const task = TaskStory.created(T0).cancel(T0);
    await o.deliver(task);
    for (const wait of [MINUTE, DAY, 30 * DAY]) {
      o.clock.advance(wait);
      expect(await o.scanner.sweepOnce()).toEqual({ driven: 0, alerted: 0 });
    }
    expect((await o.sentFor(task.taskId)).map((m) => m.payload)).toEqual([expect.objectContaining({ kind: 'task-cancelled', recipientId: 'alice' })]);
  });

  it('asks Task Management to republish idle open and recently finished tasks exactly once per sweep', async () => {
    await o.scanner.sweepOnce();
    await o.scanner.sweepOnce();
    const republished = await o.sent(RepublishOpenTasks.type);
    const expected = {
      idleForMs: DEFAULT_ORCHESTRATION_OPTIONS.republishIdleMs,
      limit: DEFAULT_ORCHESTRATION_OPTIONS.sweepBatchSize,
      includeFinishedWithinMs: 600_000,
    };
    expect(republished.map((m) => m.payload)).toEqual([expected, expected]);
    expect(republished[0]?.messageId).not.toEqual(republished[1]?.messageId);
  });

  it('asks for finished tasks to be re-announced for republishFinishedForMs, or the default when unset', async () => {
    const { republishFinishedForMs: _unset, ...withoutWindow } = DEFAULT_ORCHESTRATION_OPTIONS;
    await o.scannerWith({ ...DEFAULT_ORCHESTRATION_OPTIONS, republishFinishedForMs: 5 * MINUTE }).sweepOnce();
    await o.scannerWith(withoutWindow).sweepOnce();
    const windows = (await o.sent(RepublishOpenTasks.type)).map((m) => (m.payload as { includeFinishedWithinMs?: unknown }).includeFinishedWithinMs);
    expect(windows).toEqual([5 * MINUTE, DEFAULT_ORCHESTRATION_OPTIONS.republishFinishedForMs]);
  });

  describe('stalled workflows', () => {
    // Redrive late, so that only the stall detector can explain a re-sent step.
    const options = orchestrationOptions({ ...DEFAULT_ORCHESTRATION_OPTIONS, redriveAfterMs: 60 * MINUTE });
    const stalledAfter = options.stalledAfterMs;

    it('raises one alert per state entry, logs a warning and re-drives the step', async () => {
      const scanner = o.scannerWith(options);
      const task = TaskStory.created(T0);
      await o.deliver(task, 'created');

      o.clock.advance(stalledAfter.NEW);
      expect(await scanner.sweepOnce()).toEqual({ driven: 0, alerted: 0 });
      o.clock.advance(1);
      expect(await scanner.sweepOnce()).toEqual({ driven: 1, alerted: 1 });
      o.clock.advance(10 * MINUTE);
      expect(await scanner.sweepOnce()).toEqual({ driven: 0, alerted: 0 });

      const start = `${StartValidation.type}#${deterministicId('start-validation', task.taskId, 1)}`;
      const alert = `${WorkflowStalled.type}#${deterministicId('workflow-stalled', task.taskId, 1)}`;
      expect(await ids(task.taskId)).toEqual([start, start, alert]);
      const [stalled] = await o.sent(WorkflowStalled.type);
      expect(stalled?.payload).toEqual({
        taskId: task.taskId,
        status: 'NEW',
        taskVersion: 1,
        inStatusSince: T0.toISOString(),
        thresholdMs: stalledAfter.NEW,
        detectedAt: new Date(T0.getTime() + stalledAfter.NEW + 1).toISOString(),
        redriven: [StartValidation.type],
      });
      const warnings = o.log.lines().filter((line) => line['level'] === 40 && line['taskId'] === task.taskId);
      expect(warnings).toEqual([expect.objectContaining({ status: 'NEW', stalledForMs: stalledAfter.NEW + 1 })]);
    });

    it('alerts again when the task stalls in its next state, re-driven there by the republish', async () => {
      const scanner = o.scannerWith(options);
      const created = TaskStory.created(T0);
      await o.deliver(created, 'created');
      o.clock.advance(stalledAfter.NEW + 1);
      await scanner.sweepOnce();

      const validating = created.startValidation(o.clock.now());
      await o.deliver(validating);
      o.clock.advance(stalledAfter.REQUEST_VALIDATION + 1);
      expect(await scanner.sweepOnce()).toEqual({ driven: 0, alerted: 1 });

      const alerts = await o.sent(WorkflowStalled.type);
      expect(alerts.map((m) => m.payload)).toEqual([
        expect.objectContaining({ status: 'NEW', taskVersion: 1 }),
        expect.objectContaining({ status: 'REQUEST_VALIDATION', taskVersion: 2, redriven: [RepublishOpenTasks.type] }),
      ]);
    });

    it('does not alert about a terminal task, however old', async () => {
      const task = TaskStory.created(T0).startValidation(T0).fail(T0);
      await o.deliver(task);
      o.clock.advance(365 * DAY);
      expect(await o.scannerWith(options).sweepOnce()).toEqual({ driven: 0, alerted: 0 });
    });
  });

  it('drives every due task across several batches', async () => {
    const tasks = Array.from({ length: 5 }, () => TaskStory.created(T0));
    await o.unitOfWork.run(async (tx) => {
      for (const task of tasks) await o.repositories(tx).projections.apply(projectSnapshot(task.snapshot()), tx.now);
    });
    const scanner = o.scannerWith({ ...DEFAULT_ORCHESTRATION_OPTIONS, sweepBatchSize: 2, redriveAfterMs: 0 });
    // redriveAfterMs 0 makes every open task due again at once: the sweep must still end.
    expect(await scanner.sweepOnce()).toEqual({ driven: 5, alerted: 0 });
    expect(await o.sent(StartValidation.type)).toHaveLength(5);
  });

  it('never drives one task twice when two sweeps run at the same time', async () => {
    const tasks = Array.from({ length: 20 }, () => TaskStory.created(T0));
    await o.unitOfWork.run(async (tx) => {
      for (const task of tasks) await o.repositories(tx).projections.apply(projectSnapshot(task.snapshot()), tx.now);
    });
    const other = o.scannerWith({ ...DEFAULT_ORCHESTRATION_OPTIONS, sweepBatchSize: 3 });
    const results = await Promise.all([o.scannerWith({ ...DEFAULT_ORCHESTRATION_OPTIONS, sweepBatchSize: 3 }).sweepOnce(), other.sweepOnce()]);

    expect(results.reduce((sum, r) => sum + r.driven, 0)).toBe(20);
    const started = (await o.sent(StartValidation.type)).map((m) => m.key);
    expect(new Set(started).size).toBe(20);
    expect(started).toHaveLength(20);
    expect(await o.sent(RepublishOpenTasks.type)).toHaveLength(2);
  });
});
