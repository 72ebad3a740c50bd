import { SendNotification } from '../../../../src/contexts/human-interaction/contracts';
import { StartValidation } from '../../../../src/contexts/task-management/contracts';
import { message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId } from '../../../../src/shared/messaging/envelope';
import { InvalidMessageError } from '../../../../src/shared/messaging/errors';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { openTestDatabase } from '../../../support/database';
import { OrchestrationHarness, T0 } from '../support/orchestration.harness';
import { TaskStory } from '../../../support/task-story';

const at = (ms: number) => new Date(T0.getTime() + ms);

describe('orchestration: projecting task events and driving the task at once', () => {
  let db: Database;
  let o: OrchestrationHarness;
  beforeAll(async () => {
    db = await openTestDatabase();
    o = new OrchestrationHarness(db);
  }, 60_000);
  afterAll(() => db?.close());
  beforeEach(() => o.reset());

  it('asks Task Management to start validating a new task, with an id derived from the task version', async () => {
    const task = TaskStory.created(T0);
    await o.deliver(task, 'created');

    const sent = await o.sentFor(task.taskId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: StartValidation.type,
      kind: 'command',
      messageId: deterministicId('start-validation', task.taskId, 1),
      payload: { taskId: task.taskId, pool: 'product-manager', expectedVersion: 1 },
    });
    expect(await o.projectionOf(task.taskId)).toEqual([expect.objectContaining({ status: 'NEW', version: 1, driven_version: 1 })]);
  });

  it('handles the same event delivered twice once: one projection row, one command', async () => {
    const task = TaskStory.created(T0);
    const event = await o.deliver(task, 'created');
    await o.redeliver(event);

    expect(await o.projectionOf(task.taskId)).toHaveLength(1);
    expect(await o.sentFor(task.taskId)).toHaveLength(1);
  });

  it('sends nothing new for a re-announced snapshot of a version it already drove', async () => {
    const task = TaskStory.created(T0);
    await o.deliver(task, 'created');
    o.clock.advance(1_000);
    await o.deliver(task, 'republished');

    expect(await o.sentFor(task.taskId)).toHaveLength(1);
  });

  it('ignores a snapshot older than the one it holds', async () => {
    const created = TaskStory.created(T0);
    const asked = created.startValidation(at(1_000)).askQuestions(['Which columns?'], at(2_000));
    await o.deliver(asked);
    await o.deliver(created, 'created');

    expect(await o.projectionOf(created.taskId)).toEqual([expect.objectContaining({ status: 'CLARIFICATION_NEEDED', version: 3 })]);
    expect((await o.sentFor(created.taskId)).map((m) => m.type)).toEqual([SendNotification.type]);
  });

  it('sends nothing while product definition owns the step (REQUEST_VALIDATION)', async () => {
    const task = TaskStory.created(T0).startValidation(at(1_000));
    await o.deliver(task);

    expect(await o.sentFor(task.taskId)).toEqual([]);
    expect(await o.projectionOf(task.taskId)).toEqual([expect.objectContaining({ status: 'REQUEST_VALIDATION', driven_version: 2 })]);
  });

  it('notifies the requester of the agent’s questions', async () => {
    const task = TaskStory.created({ title: 'Dark mode' }, T0).startValidation(at(1_000)).askQuestions(['Which screens?', 'By default?'], at(2_000));
    await o.deliver(task);

    const id = deterministicId('notify', task.taskId, 3, 'alice');
    expect(await o.sentFor(task.taskId)).toEqual([
      expect.objectContaining({
        type: SendNotification.type,
        messageId: id,
        payload: {
          notificationId: id,
          taskId: task.taskId,
          taskVersion: 3,
          recipientId: 'alice',
          kind: 'clarification-requested',
          subject: expect.stringContaining('Dark mode'),
          questions: ['Which screens?', 'By default?'],
        },
      }),
    ]);
  });

  it('asks the approver to review the PRD version that was submitted', async () => {
    const task = TaskStory.created(T0).startValidation(at(1_000)).submitPrd(2, at(2_000));
    await o.deliver(task);

    const [notification] = await o.sentFor(task.taskId);
    expect(notification).toMatchObject({
      messageId: deterministicId('notify', task.taskId, 3, 'bob'),
      payload: { recipientId: 'bob', kind: 'prd-ready-for-review', prdVersion: 2, taskVersion: 3 },
    });
  });

  it.each([
    ['approved', (s: TaskStory) => s.startValidation(at(1)).submitPrd(1, at(2)).approve(at(3)), 'task-approved'],
    ['cancelled', (s: TaskStory) => s.cancel(at(1)), 'task-cancelled'],
    ['failed', (s: TaskStory) => s.startValidation(at(1)).fail(at(2)), 'task-failed'],
  ])('tells the requester that the task was %s, once: a re-announcement of the final state sends nothing again', async (_label, story, kind) => {
    const task = story(TaskStory.created(T0));
    const event = await o.deliver(task);
    await o.redeliver(event);
    expect(await o.sentFor(task.taskId)).toHaveLength(1);

    // Human interaction asks for the notification again (redrive-task) if it never arrived.
    await o.deliver(task, 'republished');
    const sent = await o.sentFor(task.taskId);
    const id = deterministicId('notify', task.taskId, task.version, 'alice');
    expect(sent).toHaveLength(1);
    for (const notification of sent) {
      expect(notification).toMatchObject({
        type: SendNotification.type,
        messageId: id,
        payload: { notificationId: id, recipientId: 'alice', kind, taskVersion: task.version },
      });
    }
    expect(await o.projectionOf(task.taskId)).toEqual([expect.objectContaining({ version: task.version, driven_version: task.version })]);
  });

  it('re-sends nothing for a re-announced open task (the timed re-drive owns that)', async () => {
    const task = TaskStory.created(T0).startValidation(at(1_000)).askQuestions(['Which columns?'], at(2_000));
    await o.deliver(task);
    o.clock.advance(1_000);
    await o.deliver(task, 'republished');

    expect((await o.sentFor(task.taskId)).map((m) => m.type)).toEqual([SendNotification.type]);
  });

  it('re-sends nothing for the snapshot of an older version than the finished one it holds', async () => {
    const validating = TaskStory.created(T0).startValidation(at(1_000));
    const cancelled = validating.cancel(at(2_000));
    await o.deliver(cancelled);
    await o.deliver(validating, 'republished');

    expect(await o.sentFor(cancelled.taskId)).toHaveLength(1);
  });

  it('dead-letters an event type it does not handle', async () => {
    const command = createEnvelope(message(StartValidation, 't', { taskId: 't', pool: 'product-manager' }));
    await expect(o.handler.handle(command)).rejects.toBeInstanceOf(InvalidMessageError);
  });
});
