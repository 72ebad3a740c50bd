import { SendNotification } from '../../../../src/contexts/human-interaction/contracts';
import { RedriveTaskHandler } from '../../../../src/contexts/orchestration/application/redrive-task.handler';
import { RedriveTask, redriveTaskId } from '../../../../src/contexts/orchestration/contracts';
import { RepublishOpenTasks } from '../../../../src/contexts/task-management/contracts';
import { message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { openTestDatabase } from '../../../support/database';
import { TaskStory } from '../../../support/task-story';
import { OrchestrationHarness, T0 } from '../support/orchestration.harness';

describe('orchestration: an operator re-drives one task', () => {
  let db: Database;
  let o: OrchestrationHarness;
  let handler: RedriveTaskHandler;
  beforeAll(async () => {
    db = await openTestDatabase();
    o = new OrchestrationHarness(db);
    handler = new RedriveTaskHandler(o.unitOfWork, o.repositories, o.log.logger);
  }, 60_000);
  afterAll(() => db?.close());
  beforeEach(() => o.reset());

  const redrive = (taskId: string, taskVersion: number): Envelope =>
    createEnvelope(message(RedriveTask, taskId, { taskId, taskVersion, requestedBy: 'user:root' }, redriveTaskId(taskId, taskVersion)));

  it('sends the step of a task that waits for a person again, with its original id, and records it as driven', async () => {
    const asked = TaskStory.created(T0).startValidation().askQuestions();
    await o.deliver(asked);
    const [original] = await o.sent(SendNotification.type);
    o.clock.advance(5_000);

    await handler.handle(redrive(asked.taskId, asked.version));

    const notifications = await o.sent(SendNotification.type);
    expect(notifications).toHaveLength(2);
    expect(notifications[1]?.messageId).toBe(original?.messageId);
    expect(await o.projectionOf(asked.taskId)).toEqual([expect.objectContaining({ driven_version: asked.version, driven_at: new Date(T0.getTime() + 5_000) })]);
  });

  it('has task management re-announce a task in REQUEST_VALIDATION (product definition owns its step), naming only that task', async () => {
    const validating = TaskStory.created(T0).startValidation();
    await o.deliver(validating);

    await handler.handle(redrive(validating.taskId, validating.version));

    const republished = await o.sent(RepublishOpenTasks.type);
    expect(republished.map((m) => m.payload)).toEqual([{ idleForMs: 0, limit: 1, includeFinishedWithinMs: 0, taskIds: [validating.taskId] }]);
  });

  it("sends a finished task's final notification again, with its original id, when asked for that version (human interaction lacks it)", async () => {
    const approved = TaskStory.created(T0).startValidation().submitPrd(1).approve();
    await o.deliver(approved);
    const [original] = await o.sent(SendNotification.type);
    const ask = (taskVersion: number, id: string) =>
      createEnvelope(message(RedriveTask, approved.taskId, { taskId: approved.taskId, taskVersion, requestedBy: 'service:human-interaction' }, id));

    await handler.handle(ask(approved.version, '6f1c1a4e-0000-4000-8000-000000000001'));
    await handler.handle(ask(approved.version - 1, '6f1c1a4e-0000-4000-8000-000000000002'));

    const notifications = await o.sent(SendNotification.type);
    expect(notifications.map((n) => [n.messageId, (n.payload as { kind: string }).kind])).toEqual([
      [original?.messageId, 'task-approved'],
      [original?.messageId, 'task-approved'],
    ]);
  });

  it('does one thing for the same request twice, and nothing for a version the task has left or a task it does not know', async () => {
    const validating = TaskStory.created(T0).startValidation();
    await o.deliver(validating);
    const request = redrive(validating.taskId, validating.version);
    await handler.handle(request);
    await handler.handle(request);
    await handler.handle(redrive(validating.taskId, validating.version - 1));
    await handler.handle(redrive('task-nobody-knows', 3));
    expect(await o.sent(RepublishOpenTasks.type)).toHaveLength(1);
    const outcomes = o.log
      .lines()
      .filter((l) => l['outcome'] !== undefined && [validating.taskId, 'task-nobody-knows'].includes(String(l['taskId'])))
      .map((l) => l['outcome']);
    expect(outcomes).toEqual(['redriven', 'moved-on', 'unknown-task']);
  });
});
