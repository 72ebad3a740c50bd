import type { Envelope } from '../../../shared/messaging/envelope';

export const COMMANDS_CONSUMER = 'task-management.commands';

/** One use case, reached by the dispatcher through the message type it handles. */
export interface TaskCommandHandler {
  readonly type: string;
  handle(message: Envelope): Promise<void>;
}
