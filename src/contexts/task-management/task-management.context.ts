import { inject, injectable } from 'inversify';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import type { TaskCommandDispatcher } from './application/task-command.dispatcher';
import { TASK_MANAGEMENT } from './task-management.tokens';

/** Task Management only reacts to commands: it has no background service of its own. */
@injectable()
export class TaskManagementContext implements BoundedContext {
  readonly name = 'task-management';

  constructor(@inject(TASK_MANAGEMENT.CommandDispatcher) private readonly dispatcher: TaskCommandDispatcher) {}

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    return [await this.dispatcher.subscribe(queue)];
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.dispatcher.drain();
  }
}
