import { injectable, multiInject } from 'inversify';
import type { Envelope } from '../../../shared/messaging/envelope';
import { InvalidMessageError } from '../../../shared/messaging/errors';
import type { MessageQueue, Unsubscribe } from '../../../shared/messaging/message-queue';
import { TASK_MANAGEMENT } from '../task-management.tokens';
import { COMMANDS_CONSUMER, type TaskCommandHandler } from './task-command-handler';

/**
 * One consumer for every command: commands about one task then share one queue, and keyed
 * ordering on it keeps two commands for the same task from racing into a version conflict.
 */
@injectable()
export class TaskCommandDispatcher {
  private readonly handlers = new Map<string, TaskCommandHandler>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(@multiInject(TASK_MANAGEMENT.CommandHandler) handlers: readonly TaskCommandHandler[]) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.type)) throw new Error(`two task-management handlers for ${handler.type}`);
      this.handlers.set(handler.type, handler);
    }
  }

  get types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  subscribe(queue: MessageQueue): Promise<Unsubscribe> {
    return queue.subscribeToCommands({ consumer: COMMANDS_CONSUMER, types: this.types, orderedByKey: true, handler: (message) => this.dispatch(message) });
  }

  dispatch(message: Envelope): Promise<void> {
    const handler = this.handlers.get(message.type);
    if (!handler) return Promise.reject(new InvalidMessageError(message.type, [`type: task-management does not handle ${message.type}`]));
    const handling = handler.handle(message);
    this.inFlight.add(handling);
    const forget = () => this.inFlight.delete(handling);
    handling.then(forget, forget);
    return handling;
  }

  /** Resolves once every message being handled now has been handled (or has failed). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
