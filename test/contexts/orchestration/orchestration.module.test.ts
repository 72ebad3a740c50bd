import { Container } from 'inversify';
import type { BoundedContext } from '../../../src/shared/kernel/bounded-context';
import { SHARED } from '../../../src/shared/kernel/tokens';
import { createEnvelope } from '../../../src/shared/messaging/envelope';
import { message } from '../../../src/shared/messaging/contract-registry';
import type { Database } from '../../../src/shared/persistence/data-source';
import { DEFAULT_ORCHESTRATION_OPTIONS, ORCHESTRATION, orchestrationModule } from '../../../src/contexts/orchestration/orchestration.module';
import { RepublishOpenTasks, StartValidation, TASK_EVENT_TYPES, TaskCreated } from '../../../src/contexts/task-management/contracts';
import { openTestDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { OrchestrationHarness, T0 } from './support/orchestration.harness';
import { TaskStory } from '../../support/task-story';
import { RecordingQueue } from '../../support/recording-queue';

/** Records subscriptions; nothing is delivered unless the test calls a handler. */
describe('the orchestration module', () => {
  let db: Database;
  let o: OrchestrationHarness;
  let context: BoundedContext;
  beforeAll(async () => {
    db = await openTestDatabase();
    o = new OrchestrationHarness(db);
    const container = new Container();
    container.bind(SHARED.UnitOfWork).toConstantValue(o.unitOfWork);
    container.bind(SHARED.Clock).toConstantValue(o.clock);
    container.bind(SHARED.Logger).toConstantValue(o.log.logger);
    container.load(orchestrationModule({ scanIntervalMs: 60_000 }));
    context = container.get<BoundedContext>(ORCHESTRATION.Context);
  }, 60_000);
  afterAll(() => db?.close());
  beforeEach(() => o.reset());

  it('subscribes one consumer to every task event and one to the re-drive command, and drives the task it hears about', async () => {
    const queue = new RecordingQueue();
    const unsubscribes = await context.subscribe(queue);

    expect(unsubscribes).toHaveLength(2);
    expect(queue.commands).toEqual([expect.objectContaining({ consumer: 'orchestration.commands', types: ['orchestration.redrive-task.v1'] })]);
    expect(queue.events).toEqual([expect.objectContaining({ consumer: 'orchestration.task-events', types: [...TASK_EVENT_TYPES] })]);

    const task = TaskStory.created(T0);
    await queue.events[0]?.handler(createEnvelope(message(TaskCreated, task.taskId, task.snapshot())));
    expect((await o.sentFor(task.taskId)).map((m) => m.type)).toEqual([StartValidation.type]);
  });

  it('sweeps as soon as it starts, and on stop waits for the sweep in progress', async () => {
    for (const loop of context.loops ?? []) loop.start();
    for (const loop of context.loops ?? []) await loop.stop();
    expect(await o.sent(RepublishOpenTasks.type)).toHaveLength(1);
  });

  it('sweeps again every scanIntervalMs until stopped', async () => {
    const scanner = o.scannerWith({ ...DEFAULT_ORCHESTRATION_OPTIONS, scanIntervalMs: 5 });
    scanner.loop.start();
    await eventually(async () => expect((await o.sent(RepublishOpenTasks.type)).length).toBeGreaterThanOrEqual(3), { timeoutMs: 5_000 });
    await scanner.loop.stop();
    const swept = (await o.sent(RepublishOpenTasks.type)).length;
    await scanner.sweepOnce();
    expect(await o.sent(RepublishOpenTasks.type)).toHaveLength(swept + 1);
  });
});
