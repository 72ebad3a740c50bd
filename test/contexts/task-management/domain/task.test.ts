import { MOVES, TASK_STATUSES, TRANSITIONS, type TaskMove, type TaskStatus } from '../../../../src/contexts/task-management/domain/task-status';
import { Task } from '../../../../src/contexts/task-management/domain/task';
import { IllegalTransition, NotTaskApprover, NotTaskRequester, PrdVersionMismatch } from '../../../../src/contexts/task-management/domain/task.errors';
import { taskSnapshotSchema } from '../../../../src/contexts/task-management/contracts';
import { APPROVER, aCause, aTaskIn, aTaskRequest, REQUESTER, T0 } from '../support/task.mother';

/** Each move attempted with the right person and the PRD version under review. */
const attempt: Record<TaskMove, (task: Task) => void> = {
  startValidation: (t) => t.startValidation('product-manager', aCause()),
  requestClarification: (t) => t.requestClarification(['Which currency?'], aCause()),
  submitPrd: (t) => t.submitPrd(1, aCause()),
  provideClarification: (t) => t.provideClarification(REQUESTER, [{ question: 'Which currency?', answer: 'EUR' }], aCause()),
  approvePrd: (t) => t.approvePrd(APPROVER, t.current.prdVersion ?? 1, aCause()),
  rejectPrd: (t) => t.rejectPrd(APPROVER, t.current.prdVersion ?? 1, 'Too vague', aCause()),
  cancel: (t) => t.cancel(REQUESTER, undefined, aCause()),
  fail: (t) => t.fail('agent gave up', aCause()),
};
const moves = Object.keys(MOVES) as TaskMove[];

describe('Task state machine', () => {
  it('allows exactly the transitions of the workflow', () => {
    expect(TRANSITIONS).toEqual({
      NEW: ['REQUEST_VALIDATION', 'CANCELLED'],
      REQUEST_VALIDATION: ['CLARIFICATION_NEEDED', 'PRD_VALIDATION', 'CANCELLED', 'FAILED'],
      CLARIFICATION_NEEDED: ['REQUEST_VALIDATION', 'CANCELLED'],
      PRD_VALIDATION: ['REQUEST_VALIDATION', 'APPROVED', 'CANCELLED'],
      APPROVED: [],
      CANCELLED: [],
      FAILED: [],
    });
  });

  const cases = TASK_STATUSES.flatMap((from) =>
    moves.map((move) => ({ from, move, to: MOVES[move].to, legal: (MOVES[move].from as readonly TaskStatus[]).includes(from) })),
  );

  it.each(cases.filter((c) => c.legal))('$from --$move--> $to is allowed and bumps the version', ({ from, move, to }) => {
    const task = aTaskIn(from);
    const before = task.version;
    attempt[move](task);
    expect(task.status).toBe(to);
    expect(task.version).toBe(before + 1);
    expect(task.current.history.at(-1)).toMatchObject({ from, to, version: before + 1 });
    expect(task.pullEvents()).toEqual([expect.objectContaining({ type: 'TaskStatusChanged', taskId: task.id })]);
  });

  it.each(cases.filter((c) => !c.legal))('$from --$move--> $to is an IllegalTransition and changes nothing', ({ from, move, to }) => {
    const task = aTaskIn(from);
    const before = task.toSnapshot();
    expect(() => attempt[move](task)).toThrow(new IllegalTransition(task.id, from, to, move));
    expect(task.toSnapshot()).toEqual(before);
    expect(task.pullEvents()).toEqual([]);
  });

  it.each(TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => !TRANSITIONS[from].includes(to)).map((to) => ({ from, to }))))(
    'no move takes a task from $from to $to',
    ({ from, to }) => {
      for (const move of moves.filter((m) => MOVES[m].to === to)) {
        expect(() => attempt[move](aTaskIn(from))).toThrow(IllegalTransition);
      }
    },
  );

  it('names the task and both statuses in the refusal', () => {
    const task = aTaskIn('PRD_VALIDATION', { taskId: 'task-42' });
    expect(() => task.requestClarification(['Why?'], aCause())).toThrow(
      'task task-42 cannot go from PRD_VALIDATION to CLARIFICATION_NEEDED by requestClarification',
    );
  });
});

describe('Task rules', () => {
  it('lets only the requester answer questions or cancel', () => {
    const task = aTaskIn('CLARIFICATION_NEEDED');
    expect(() => task.provideClarification('mallory', [{ question: 'q', answer: 'a' }], aCause())).toThrow(new NotTaskRequester(task.id, 'mallory'));
    expect(() => task.cancel(APPROVER, undefined, aCause())).toThrow(NotTaskRequester);
    expect(task.status).toBe('CLARIFICATION_NEEDED');
  });

  it('lets only the approver decide, and only on the PRD version under review', () => {
    const task = aTaskIn('PRD_VALIDATION');
    expect(() => task.approvePrd(REQUESTER, 1, aCause())).toThrow(new NotTaskApprover(task.id, REQUESTER));
    expect(() => task.rejectPrd('mallory', 1, 'no', aCause())).toThrow(NotTaskApprover);
    expect(() => task.approvePrd(APPROVER, 2, aCause())).toThrow(new PrdVersionMismatch(task.id, 1, 2));
    expect(task.status).toBe('PRD_VALIDATION');
  });
});

describe('Task history', () => {
  it('starts at version 1 with a creation entry and announces the creation', () => {
    const request = aTaskRequest();
    const task = Task.create(request, aCause({ actor: `user:${REQUESTER}`, messageId: 'm-create' }));
    expect(task.toSnapshot()).toMatchObject({ ...request, status: 'NEW', version: 1, assignedPool: null, prdVersion: null, createdAt: T0.toISOString() });
    expect(task.current.history).toEqual([
      { from: null, to: 'NEW', version: 1, at: T0.toISOString(), actor: `user:${REQUESTER}`, messageId: 'm-create', correlationId: 'correlation-1' },
    ]);
    expect(task.pullEvents().map((e) => e.type)).toEqual(['TaskCreated']);
  });

  it('records who moved the task, why, and what came with each move', () => {
    const task = aTaskIn('NEW');
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
    task.startValidation('product-manager', aCause({ actor: 'service:orchestration', messageId: 'm1', at: at(1) }));
    task.requestClarification(['Which currency?'], aCause({ actor: 'service:product-manager-agent', messageId: 'm2', at: at(2) }));
    task.provideClarification(REQUESTER, [{ question: 'Which currency?', answer: 'EUR' }], aCause({ actor: `user:${REQUESTER}`, messageId: 'm3', at: at(3) }));
    task.submitPrd(1, aCause({ actor: 'service:product-manager-agent', messageId: 'm4', at: at(4) }));
    task.rejectPrd(APPROVER, 1, 'Add totals per customer', aCause({ actor: `user:${APPROVER}`, messageId: 'm5', at: at(5) }));
    task.submitPrd(2, aCause({ actor: 'service:product-manager-agent', messageId: 'm6', at: at(6) }));
    task.approvePrd(APPROVER, 2, aCause({ actor: `user:${APPROVER}`, messageId: 'm7', at: at(7) }));

    const snapshot = task.toSnapshot();
    expect(taskSnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({ status: 'APPROVED', version: 8, assignedPool: 'product-manager', prdVersion: 2, updatedAt: at(7).toISOString() });
    expect(snapshot.history.slice(1)).toEqual([
      {
        from: 'NEW',
        to: 'REQUEST_VALIDATION',
        version: 2,
        at: at(1).toISOString(),
        actor: 'service:orchestration',
        messageId: 'm1',
        correlationId: 'correlation-1',
        assignedPool: 'product-manager',
      },
      {
        from: 'REQUEST_VALIDATION',
        to: 'CLARIFICATION_NEEDED',
        version: 3,
        at: at(2).toISOString(),
        actor: 'service:product-manager-agent',
        messageId: 'm2',
        correlationId: 'correlation-1',
        questions: ['Which currency?'],
      },
      {
        from: 'CLARIFICATION_NEEDED',
        to: 'REQUEST_VALIDATION',
        version: 4,
        at: at(3).toISOString(),
        actor: `user:${REQUESTER}`,
        messageId: 'm3',
        correlationId: 'correlation-1',
        answers: [{ question: 'Which currency?', answer: 'EUR' }],
      },
      {
        from: 'REQUEST_VALIDATION',
        to: 'PRD_VALIDATION',
        version: 5,
        at: at(4).toISOString(),
        actor: 'service:product-manager-agent',
        messageId: 'm4',
        correlationId: 'correlation-1',
        prdVersion: 1,
      },
      {
        from: 'PRD_VALIDATION',
        to: 'REQUEST_VALIDATION',
        version: 6,
        at: at(5).toISOString(),
        actor: `user:${APPROVER}`,
        messageId: 'm5',
        correlationId: 'correlation-1',
        prdVersion: 1,
        feedback: 'Add totals per customer',
      },
      {
        from: 'REQUEST_VALIDATION',
        to: 'PRD_VALIDATION',
        version: 7,
        at: at(6).toISOString(),
        actor: 'service:product-manager-agent',
        messageId: 'm6',
        correlationId: 'correlation-1',
        prdVersion: 2,
      },
      {
        from: 'PRD_VALIDATION',
        to: 'APPROVED',
        version: 8,
        at: at(7).toISOString(),
        actor: `user:${APPROVER}`,
        messageId: 'm7',
        correlationId: 'correlation-1',
        prdVersion: 2,
      },
    ]);
  });

  it('keeps the reason of a cancellation or a failure', () => {
    const cancelled = aTaskIn('NEW');
    cancelled.cancel(REQUESTER, 'duplicate of task-7', aCause());
    const failed = aTaskIn('REQUEST_VALIDATION');
    failed.fail('the request is not a product feature', aCause());
    expect(cancelled.current.history.at(-1)).toMatchObject({ to: 'CANCELLED', reason: 'duplicate of task-7' });
    expect(failed.current.history.at(-1)).toMatchObject({ to: 'FAILED', reason: 'the request is not a product feature' });
  });

  it('tracks which transitions are not stored yet', () => {
    const task = aTaskIn('NEW');
    task.markSaved();
    task.startValidation('product-manager', aCause());
    expect(task.persistedVersion).toBe(1);
    expect(task.unsavedTransitions.map((t) => t.version)).toEqual([2]);
  });
});
