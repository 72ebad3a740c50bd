import { Container } from 'inversify';
import { RequestClarification, SubmitPrd, TASK_EVENT_TYPES, TaskCreated, TaskStatusChanged } from '../../../src/contexts/task-management/contracts';
import { productDefinitionModule } from '../../../src/contexts/product-definition/product-definition.module';
import { PRODUCT_DEFINITION } from '../../../src/contexts/product-definition/product-definition.tokens';
import type { BoundedContext } from '../../../src/shared/kernel/bounded-context';
import { SHARED } from '../../../src/shared/kernel/tokens';
import { silentLogger } from '../../../src/shared/logging/logger';
import { message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../src/shared/messaging/envelope';
import { eventually } from '../../support/eventually';
import { DATABASE_START_MS, type Harness, openHarness } from './support/product-definition.harness';
import { COMPLETE_REQUEST, VAGUE_REQUEST } from './support/requests.mother';
import { TaskStory } from '../../support/task-story';
import { RecordingQueue } from '../../support/recording-queue';

/** Records subscriptions so the test can deliver to the handler the context registered. */
describe('productDefinitionModule', () => {
  let h: Harness;
  let context: BoundedContext;
  beforeAll(async () => {
    h = await openHarness();
    const container = new Container();
    container.bind(SHARED.UnitOfWork).toConstantValue(h.unitOfWork);
    container.bind(SHARED.Logger).toConstantValue(silentLogger());
    await container.loadAsync(productDefinitionModule({ pollIntervalMs: 600_000 }));
    context = container.get<BoundedContext>(PRODUCT_DEFINITION.Context);
  }, DATABASE_START_MS);
  afterAll(async () => {
    for (const loop of context?.loops ?? []) await loop.stop();
    await h?.close();
  });

  it("subscribes one consumer to the task events and one to operators' commands", async () => {
    const queue = new RecordingQueue();

    await context.subscribe(queue);

    expect(context.name).toBe('product-definition');
    expect(queue.commands).toEqual([expect.objectContaining({ consumer: 'product-definition.commands', types: ['product-definition.set-agent-pool.v1'] })]);
    expect(queue.events).toEqual([expect.objectContaining({ consumer: 'product-definition.task-events', types: [...TASK_EVENT_TYPES] })]);
  });

  it('turns task events into outcomes once started, woken by the events themselves', async () => {
    const queue = new RecordingQueue();
    await context.subscribe(queue);
    const deliver = (envelope: Envelope) => queue.events[0]?.handler(envelope);
    for (const loop of context.loops ?? []) loop.start();
    const vague = TaskStory.created(VAGUE_REQUEST);
    const complete = TaskStory.created(COMPLETE_REQUEST);

    await deliver(createEnvelope(message(TaskCreated, vague.taskId, vague.snapshot())));
    await deliver(createEnvelope(message(TaskStatusChanged, vague.taskId, vague.startValidation().snapshot())));
    await deliver(createEnvelope(message(TaskStatusChanged, complete.taskId, complete.startValidation().snapshot())));

    await eventually(
      async () => {
        expect((await h.outbox(vague.taskId)).length).toBeGreaterThan(0);
        expect((await h.outbox(complete.taskId)).length).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000 },
    );
    for (const loop of context.loops ?? []) await loop.stop();
    expect((await h.outbox(vague.taskId)).map((e) => e.type)).toEqual([RequestClarification.type]);
    expect((await h.outbox(complete.taskId)).map((e) => e.type)).toContain(SubmitPrd.type);
  }, 30_000);
});
