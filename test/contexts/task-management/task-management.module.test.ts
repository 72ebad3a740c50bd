import { Container } from 'inversify';
import { TaskCommandDispatcher } from '../../../src/contexts/task-management/application/task-command.dispatcher';
import type { TaskCommandHandler } from '../../../src/contexts/task-management/application/task-command-handler';
import { CreateTask, StartValidation, taskManagementContracts } from '../../../src/contexts/task-management/contracts';
import { TaskManagementContext } from '../../../src/contexts/task-management/task-management.context';
import { taskManagementModule } from '../../../src/contexts/task-management/task-management.module';
import { TASK_MANAGEMENT } from '../../../src/contexts/task-management/task-management.tokens';
import { SHARED } from '../../../src/shared/kernel/tokens';
import { message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../src/shared/messaging/envelope';
import { RecordingQueue } from '../../support/recording-queue';

const commandTypes = taskManagementContracts
  .filter((c) => c.kind === 'command')
  .map((c) => c.type)
  .sort();

describe('task-management module', () => {
  it('binds the context, which subscribes one consumer to every task-management command', async () => {
    const container = new Container();
    container.bind(SHARED.UnitOfWork).toConstantValue({});
    await container.loadAsync(taskManagementModule());
    const context = container.get<TaskManagementContext>(TASK_MANAGEMENT.Context);
    expect(context).toBeInstanceOf(TaskManagementContext);
    expect(context.name).toBe('task-management');

    const queue = new RecordingQueue();
    expect(await context.subscribe(queue)).toHaveLength(1);
    expect(queue.events).toEqual([]);
    expect(queue.commands).toEqual([expect.objectContaining({ consumer: 'task-management.commands', types: commandTypes, orderedByKey: true })]);
  });
});

describe('TaskCommandDispatcher', () => {
  const handledBy = (type: string, handled: Envelope[], until?: Promise<void>): TaskCommandHandler => ({
    type,
    handle: async (envelope) => {
      await until;
      handled.push(envelope);
    },
  });

  it('routes each subscribed message to the handler of its type', async () => {
    const created: Envelope[] = [];
    const started: Envelope[] = [];
    const queue = new RecordingQueue();
    await new TaskCommandDispatcher([handledBy(CreateTask.type, created), handledBy(StartValidation.type, started)]).subscribe(queue);
    const envelope = createEnvelope(message(StartValidation, 't-1', { taskId: 't-1', pool: 'product-manager' }));
    await queue.commands[0]?.handler(envelope);
    expect(started).toEqual([envelope]);
    expect(created).toEqual([]);
  });

  it('lets the context stop only after the message in hand is handled', async () => {
    let release: () => void = () => {};
    const handled: Envelope[] = [];
    const dispatcher = new TaskCommandDispatcher([handledBy(StartValidation.type, handled, new Promise<void>((resolve) => (release = resolve)))]);
    const context = new TaskManagementContext(dispatcher);
    const handling = dispatcher.dispatch(createEnvelope(message(StartValidation, 't-2', { taskId: 't-2', pool: 'product-manager' })));
    let stopped = false;
    const stopping = context.drain().then(() => (stopped = true));
    // A full turn of the event loop: enough for a stop that did not wait to have finished.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await Promise.all([handling, stopping]);
    expect(handled).toHaveLength(1);
  });

  it('refuses two handlers for one type', () => {
    expect(() => new TaskCommandDispatcher([handledBy(CreateTask.type, []), handledBy(CreateTask.type, [])])).toThrow(/two task-management handlers/);
  });
});
