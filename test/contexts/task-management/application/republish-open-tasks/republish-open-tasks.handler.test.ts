import {
  CancelTask,
  ConfirmTaskSettled,
  CreateTask,
  RepublishOpenTasks,
  StartValidation,
  TaskSnapshotPublished,
  type TaskSnapshot,
} from '../../../../../src/contexts/task-management/contracts';
import { TaskManagementHarness } from '../../support/task-management.harness';
import { aTaskRequest, REQUESTER, T0 } from '../../support/task.mother';

const SECOND = 1_000;

describe('RepublishOpenTasks', () => {
  let tm: TaskManagementHarness;
  const ids: Record<'waiting' | 'cancelled' | 'recent', string> = { waiting: '', cancelled: '', recent: '' };
  let seen = 0;

  beforeAll(async () => {
    tm = await TaskManagementHarness.open(T0, { maxRepublishBatch: 500 });
    for (const name of ['waiting', 'cancelled'] as const) {
      const request = aTaskRequest();
      ids[name] = request.taskId;
      await tm.send(CreateTask, request.taskId, request);
    }
    await tm.send(CancelTask, ids.cancelled, { taskId: ids.cancelled, userId: REQUESTER });
    tm.advance(50 * SECOND);
    const recent = aTaskRequest();
    ids.recent = recent.taskId;
    await tm.send(CreateTask, recent.taskId, recent);
    seen = (await tm.outbox()).length;
  }, 60_000);
  afterAll(() => tm?.close());

  /** Sends a republish at `at` seconds after T0 and returns the snapshots it announced. */
  const republishAt = async (at: number, idleForMs = 30 * SECOND, limit?: number): Promise<TaskSnapshot[]> => {
    tm.now = new Date(T0.getTime() + at * SECOND);
    await tm.send(RepublishOpenTasks, 'republish', { idleForMs, ...(limit ? { limit } : {}) });
    const fresh = (await tm.outbox()).slice(seen);
    seen += fresh.length;
    expect(fresh.every((e) => e.type === TaskSnapshotPublished.type)).toBe(true);
    return fresh.map((e) => e.payload as TaskSnapshot);
  };

  it('re-announces only open tasks idle for longer than idleForMs, with their current snapshot', async () => {
    const snapshots = await republishAt(60);
    expect(snapshots.map((s) => s.taskId)).toEqual([ids.waiting]);
    expect(snapshots[0]).toEqual((await tm.task(ids.waiting))?.toSnapshot());
  });

  it('re-announces a waiting task at most once per idle period', async () => {
    expect((await republishAt(85)).map((s) => s.taskId)).toEqual([ids.recent]);
    expect(await republishAt(89)).toEqual([]);
    expect((await republishAt(95)).map((s) => s.taskId)).toEqual([ids.waiting]);
  });

  it('counts a change of the task as activity', async () => {
    tm.now = new Date(T0.getTime() + 200 * SECOND);
    await tm.send(StartValidation, ids.recent, { taskId: ids.recent, pool: 'product-manager', expectedVersion: 1 });
    seen = (await tm.outbox()).length;
    expect((await republishAt(203, 5 * SECOND)).map((s) => s.taskId)).toEqual([ids.waiting]);
    const snapshots = await republishAt(212, 10 * SECOND);
    expect(snapshots.map((s) => [s.taskId, s.version, s.status])).toEqual([[ids.recent, 2, 'REQUEST_VALIDATION']]);
  });

  it('re-announces just the tasks it names, idle or not (an operator re-driving one task)', async () => {
    tm.now = new Date(T0.getTime() + 300 * SECOND);
    await tm.send(RepublishOpenTasks, ids.recent, { idleForMs: 3_600_000, taskIds: [ids.recent, 'task-nobody-knows'] });
    const fresh = (await tm.outbox()).slice(seen);
    seen += fresh.length;
    expect(fresh.map((e) => [e.type, (e.payload as TaskSnapshot).taskId])).toEqual([[TaskSnapshotPublished.type, ids.recent]]);
  });

  it('re-announces at most `limit` tasks, the longest idle first', async () => {
    expect((await republishAt(400, 30 * SECOND, 1)).map((s) => s.taskId)).toEqual([ids.waiting]);
    expect((await republishAt(401, 30 * SECOND, 1)).map((s) => s.taskId)).toEqual([ids.recent]);
  });

  it('does nothing for the same republish command twice', async () => {
    tm.now = new Date(T0.getTime() + 1_000 * SECOND);
    const first = await tm.send(RepublishOpenTasks, 'republish', { idleForMs: 0 });
    await tm.dispatcher.dispatch(first);
    const fresh = (await tm.outbox()).slice(seen);
    seen += fresh.length;
    expect(fresh.map((e) => (e.payload as TaskSnapshot).taskId).sort()).toEqual([ids.recent, ids.waiting].sort());
  });
});

describe('RepublishOpenTasks batch cap', () => {
  let tm: TaskManagementHarness;
  beforeAll(async () => {
    tm = await TaskManagementHarness.open(T0, { maxRepublishBatch: 2 });
  }, 60_000);
  afterAll(() => tm?.close());

  it('never re-announces more than the configured cap, whatever limit is asked', async () => {
    for (let i = 0; i < 3; i += 1) {
      const request = aTaskRequest();
      await tm.send(CreateTask, request.taskId, request);
    }
    tm.advance(60 * SECOND);
    const before = (await tm.outbox()).length;
    await tm.send(RepublishOpenTasks, 'republish', { idleForMs: 1, limit: 100 });
    expect((await tm.outbox()).length - before).toBe(2);
  });
});

describe('RepublishOpenTasks of finished tasks', () => {
  let tm: TaskManagementHarness;
  let seen = 0;
  beforeAll(async () => {
    tm = await TaskManagementHarness.open(T0);
  }, 60_000);
  afterAll(() => tm?.close());

  /** A task cancelled at `T0 + at` seconds: its final event is the one a consumer may have missed. */
  const cancelledAt = async (at: number): Promise<string> => {
    tm.now = new Date(T0.getTime() + at * SECOND);
    const request = aTaskRequest();
    await tm.send(CreateTask, request.taskId, request);
    await tm.send(CancelTask, request.taskId, { taskId: request.taskId, userId: REQUESTER });
    seen = (await tm.outbox()).length;
    return request.taskId;
  };

  const republishAt = async (at: number, payload: { idleForMs: number; includeFinishedWithinMs?: number; taskIds?: string[] }): Promise<TaskSnapshot[]> => {
    tm.now = new Date(T0.getTime() + at * SECOND);
    await tm.send(RepublishOpenTasks, 'republish', payload);
    const fresh = (await tm.outbox()).slice(seen);
    seen += fresh.length;
    expect(fresh.every((e) => e.type === TaskSnapshotPublished.type)).toBe(true);
    return fresh.map((e) => e.payload as TaskSnapshot);
  };

  it('re-announces a task that finished within includeFinishedWithinMs, with its final snapshot', async () => {
    const taskId = await cancelledAt(0);
    const snapshots = await republishAt(60, { idleForMs: 30 * SECOND, includeFinishedWithinMs: 120 * SECOND });
    expect(snapshots.map((s) => [s.taskId, s.status, s.version])).toEqual([[taskId, 'CANCELLED', 2]]);
  });

  it('backs off: each wait is as long as the task had been finished at its last re-announcement', async () => {
    const taskId = await cancelledAt(500);
    const window = { idleForMs: 30 * SECOND, includeFinishedWithinMs: 1_000 * SECOND };
    const announcedAt: number[] = [];
    for (let at = 500; at <= 1_000; at += 10) if ((await republishAt(at, window)).some((s) => s.taskId === taskId)) announcedAt.push(at - 500);
    expect(announcedAt).toEqual([30, 60, 120, 240, 480]);
  });

  it('stops re-announcing it once it finished longer ago than includeFinishedWithinMs', async () => {
    const taskId = await cancelledAt(1_000);
    expect(await republishAt(1_000 + 121, { idleForMs: 30 * SECOND, includeFinishedWithinMs: 120 * SECOND })).toEqual([]);
    expect((await republishAt(1_000 + 122, { idleForMs: 30 * SECOND, includeFinishedWithinMs: 200 * SECOND })).map((s) => s.taskId)).toEqual([taskId]);
  });

  it('stops re-announcing a finished task once human interaction confirmed it settled at its final version', async () => {
    const settled = await cancelledAt(3_000);
    const unsettled = await cancelledAt(3_000);
    const window = { idleForMs: 30 * SECOND, includeFinishedWithinMs: 1_000 * SECOND };
    // A confirmation for another version changes nothing.
    await tm.send(ConfirmTaskSettled, settled, { taskId: settled, taskVersion: 1 });
    expect((await republishAt(3_000 + 30, window)).map((s) => s.taskId).sort()).toEqual([settled, unsettled].sort());

    await tm.send(ConfirmTaskSettled, settled, { taskId: settled, taskVersion: 2 });
    seen = (await tm.outbox()).length;

    expect((await republishAt(3_000 + 60, window)).map((s) => s.taskId)).toEqual([unsettled]);
    expect((await republishAt(3_000 + 120, window)).map((s) => s.taskId)).toEqual([unsettled]);
    // An operator naming it still gets it re-announced.
    expect((await republishAt(3_000 + 121, { idleForMs: 0, taskIds: [settled] })).map((s) => s.taskId)).toEqual([settled]);
  });

  it('keeps re-announcing a task cancelled in REQUEST_VALIDATION, confirmed or not (product definition may hold a work item for it)', async () => {
    tm.now = new Date(T0.getTime() + 4_000 * SECOND);
    const request = aTaskRequest();
    await tm.send(CreateTask, request.taskId, request);
    await tm.send(StartValidation, request.taskId, { taskId: request.taskId, pool: 'product-manager', expectedVersion: 1 });
    await tm.send(CancelTask, request.taskId, { taskId: request.taskId, userId: REQUESTER });
    await tm.send(ConfirmTaskSettled, request.taskId, { taskId: request.taskId, taskVersion: 3 });
    seen = (await tm.outbox()).length;

    const window = { idleForMs: 30 * SECOND, includeFinishedWithinMs: 1_000 * SECOND };
    expect((await republishAt(4_000 + 30, window)).map((s) => [s.taskId, s.status])).toEqual([[request.taskId, 'CANCELLED']]);
  });

  it('never re-announces a finished task by default', async () => {
    await cancelledAt(5_000);
    expect(await republishAt(5_000 + 60, { idleForMs: 30 * SECOND })).toEqual([]);
    expect(await republishAt(5_000 + 61, { idleForMs: 0 })).toEqual([]);
  });
});
