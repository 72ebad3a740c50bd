import {
  CancelTask,
  CreateTask,
  ApprovePrd,
  FailTask,
  ProvideClarification,
  RejectPrd,
  RequestClarification,
  StartValidation,
  SubmitPrd,
  TaskCreated,
  TaskStatusChanged,
} from '../../../../src/contexts/task-management/contracts';
import { Task } from '../../../../src/contexts/task-management/domain/task';
import { NotTaskApprover, NotTaskRequester, StaleCommand, TaskAlreadyExists, TaskNotFound } from '../../../../src/contexts/task-management/domain/task.errors';
import { deterministicId } from '../../../../src/shared/messaging/envelope';
import { ConcurrencyConflictError, InvalidMessageError } from '../../../../src/shared/messaging/errors';
import { TaskManagementHarness } from '../support/task-management.harness';
import { APPROVER, aCause, aTaskRequest, REQUESTER, T0 } from '../support/task.mother';

describe('Task Management command handlers', () => {
  let tm: TaskManagementHarness;
  // PGlite boots in seconds, more on a busy machine.
  beforeAll(async () => {
    tm = await TaskManagementHarness.open(T0);
  }, 60_000);
  afterAll(() => tm?.close());

  const create = async (overrides = {}) => {
    const request = aTaskRequest(overrides);
    const envelope = await tm.send(CreateTask, request.taskId, request);
    return { request, envelope };
  };
  const startValidation = (taskId: string, expectedVersion = 1) =>
    tm.send(StartValidation, taskId, { taskId, pool: 'product-manager', expectedVersion }, deterministicId('start-validation', taskId, expectedVersion));

  it('creates a task and announces it with the full snapshot', async () => {
    const { request, envelope } = await create();
    const [created, ...rest] = await tm.outbox(request.taskId);
    expect(rest).toEqual([]);
    expect(created).toMatchObject({
      type: TaskCreated.type,
      kind: 'event',
      key: request.taskId,
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
    });
    expect(created?.payload).toEqual({
      ...request,
      status: 'NEW',
      version: 1,
      assignedPool: null,
      prdVersion: null,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      history: [
        {
          from: null,
          to: 'NEW',
          version: 1,
          at: T0.toISOString(),
          actor: `user:${REQUESTER}`,
          messageId: envelope.messageId,
          correlationId: envelope.correlationId,
        },
      ],
    });
  });

  it('treats a repeated create of the same request as done, and refuses a different one under the same id', async () => {
    const { request } = await create();
    await tm.send(CreateTask, request.taskId, request);
    await expect(tm.send(CreateTask, request.taskId, { ...request, title: 'Something else' })).rejects.toThrow(new TaskAlreadyExists(request.taskId));
    expect((await tm.task(request.taskId))?.toSnapshot()).toMatchObject({ title: request.title, version: 1 });
    expect(await tm.outbox(request.taskId)).toHaveLength(1);
  });

  it('takes a task from NEW to APPROVED through a clarification and a rejection, keeping the history', async () => {
    const { request } = await create();
    const id = request.taskId;
    await startValidation(id);
    await tm.send(RequestClarification, id, { taskId: id, questions: ['Which currency?'], expectedVersion: 2 });
    await tm.send(ProvideClarification, id, { taskId: id, userId: REQUESTER, answers: [{ question: 'Which currency?', answer: 'EUR' }], expectedVersion: 3 });
    await tm.send(SubmitPrd, id, { taskId: id, prdVersion: 1, expectedVersion: 4 });
    const reject = await tm.send(RejectPrd, id, { taskId: id, userId: APPROVER, prdVersion: 1, feedback: 'Add totals per customer' });
    await tm.send(SubmitPrd, id, { taskId: id, prdVersion: 2, expectedVersion: 6 });
    await tm.send(ApprovePrd, id, { taskId: id, userId: APPROVER, prdVersion: 2 });

    const task = await tm.task(id);
    const snapshot = task?.toSnapshot();
    expect(snapshot).toMatchObject({ status: 'APPROVED', version: 8, prdVersion: 2, assignedPool: 'product-manager' });
    expect(snapshot?.history.map((t) => [t.from, t.to, t.actor])).toEqual([
      [null, 'NEW', `user:${REQUESTER}`],
      ['NEW', 'REQUEST_VALIDATION', 'service:orchestration'],
      ['REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'service:product-manager-agent'],
      ['CLARIFICATION_NEEDED', 'REQUEST_VALIDATION', `user:${REQUESTER}`],
      ['REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent'],
      ['PRD_VALIDATION', 'REQUEST_VALIDATION', `user:${APPROVER}`],
      ['REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent'],
      ['PRD_VALIDATION', 'APPROVED', `user:${APPROVER}`],
    ]);
    expect(snapshot?.history[5]).toMatchObject({ messageId: reject.messageId, prdVersion: 1, feedback: 'Add totals per customer' });
    expect(snapshot?.history[3]).toMatchObject({ answers: [{ question: 'Which currency?', answer: 'EUR' }] });

    const announced = await tm.outbox(id);
    expect(announced.map((e) => [e.type, (e.payload as { version: number }).version])).toEqual([
      [TaskCreated.type, 1],
      ...[2, 3, 4, 5, 6, 7, 8].map((v) => [TaskStatusChanged.type, v]),
    ]);
    expect(announced.at(-1)?.payload).toEqual(snapshot);
  });

  it('applies the same command once when it arrives twice', async () => {
    const { request } = await create();
    const first = await startValidation(request.taskId);
    await tm.dispatcher.dispatch(first);
    await startValidation(request.taskId);
    expect((await tm.task(request.taskId))?.current.history).toHaveLength(2);
    expect(await tm.outbox(request.taskId)).toHaveLength(2);
  });

  it('refuses a command decided from an older version and changes nothing', async () => {
    const { request } = await create();
    const id = request.taskId;
    await startValidation(id);
    await expect(tm.send(RequestClarification, id, { taskId: id, questions: ['Why?'], expectedVersion: 1 })).rejects.toThrow(new StaleCommand(id, 1, 2));
    await expect(tm.send(FailTask, id, { taskId: id, reason: 'late', expectedVersion: 3 })).rejects.toThrow(StaleCommand);
    expect((await tm.task(id))?.toSnapshot()).toMatchObject({ status: 'REQUEST_VALIDATION', version: 2 });
    expect(await tm.outbox(id)).toHaveLength(2);
  });

  it('lets only the requester answer or cancel, and only the approver decide', async () => {
    const { request } = await create();
    const id = request.taskId;
    await startValidation(id);
    await tm.send(SubmitPrd, id, { taskId: id, prdVersion: 1, expectedVersion: 2 });
    await expect(tm.send(ApprovePrd, id, { taskId: id, userId: REQUESTER, prdVersion: 1 })).rejects.toThrow(new NotTaskApprover(id, REQUESTER));
    await expect(tm.send(RejectPrd, id, { taskId: id, userId: 'mallory', prdVersion: 1, feedback: 'no' })).rejects.toThrow(NotTaskApprover);
    await expect(tm.send(CancelTask, id, { taskId: id, userId: APPROVER })).rejects.toThrow(new NotTaskRequester(id, APPROVER));
    expect((await tm.task(id))?.toSnapshot()).toMatchObject({ status: 'PRD_VALIDATION', version: 3 });

    await tm.send(CancelTask, id, { taskId: id, userId: REQUESTER, reason: 'found a tool that does it' });
    expect((await tm.task(id))?.current.history.at(-1)).toMatchObject({ to: 'CANCELLED', actor: `user:${REQUESTER}`, reason: 'found a tool that does it' });
  });

  it('refuses a command for a task that does not exist, or whose payload breaks the contract', async () => {
    await expect(startValidation('no-such-task')).rejects.toThrow(new TaskNotFound('no-such-task'));
    const { request } = await create();
    await expect(tm.send(SubmitPrd, request.taskId, { taskId: request.taskId, prdVersion: 0 })).rejects.toThrow(InvalidMessageError);
    const [announced] = await tm.outbox(request.taskId);
    if (!announced) throw new Error(`creating ${request.taskId} announced nothing`);
    await expect(tm.dispatcher.dispatch({ ...announced, type: 'task-management.unknown.v1' })).rejects.toThrow(InvalidMessageError);
  });

  it('refuses to save a task someone else saved since it was loaded', async () => {
    const { request } = await create();
    const load = () => tm.unitOfWork.run((tx) => tm.repositories(tx).tasks.get(request.taskId));
    const mine = await load();
    const theirs = await load();
    theirs.startValidation('product-manager', aCause());
    await tm.unitOfWork.run((tx) => tm.repositories(tx).tasks.save(theirs));
    mine.cancel(REQUESTER, undefined, aCause());
    await expect(tm.unitOfWork.run((tx) => tm.repositories(tx).tasks.save(mine))).rejects.toThrow(ConcurrencyConflictError);
    expect((await tm.task(request.taskId))?.toSnapshot()).toMatchObject({ status: 'REQUEST_VALIDATION', version: 2 });
  });

  it('refuses to insert a task whose id was taken concurrently', async () => {
    const request = aTaskRequest();
    await tm.unitOfWork.run((tx) => tm.repositories(tx).tasks.insert(Task.create(request, aCause())));
    await expect(tm.unitOfWork.run((tx) => tm.repositories(tx).tasks.insert(Task.create(request, aCause())))).rejects.toThrow(ConcurrencyConflictError);
  });
});
