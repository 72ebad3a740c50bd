import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { CancelTask } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { userActor } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The requester withdrew the request. */
@injectable()
export class CancelTaskHandler implements TaskCommandHandler {
  readonly type = CancelTask.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(CancelTask, message);
    await this.commands.change(message, { taskId: command.taskId, actor: userActor(command.userId) }, (task, cause) =>
      task.cancel(command.userId, command.reason, cause),
    );
  }
}
