import { inject, injectable } from 'inversify';
import type { Loop } from '../../shared/kernel/background-loop';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import type { TaskCommandDispatcher } from './application/task-command.dispatcher';
import { TASK_MANAGEMENT } from './task-management.tokens';

/** Task Management only reacts to commands: it has no background loop of its own. */
@injectable()
export class TaskManagementContext implements BoundedContext {
  readonly name = 'task-management';
  readonly loops: readonly Loop[] = [];

  constructor(@inject(TASK_MANAGEMENT.CommandDispatcher) private readonly dispatcher: TaskCommandDispatcher) {}

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    return [await this.dispatcher.subscribe(queue)];
  }

  /** Waits for the commands being handled now (the application stopped taking new ones). */
  async drain(): Promise<void> {
    await this.dispatcher.drain();
  }
}
