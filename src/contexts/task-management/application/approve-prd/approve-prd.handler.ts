import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { ApprovePrd } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { userActor } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The approver accepted the PRD version under review. */
@injectable()
export class ApprovePrdHandler implements TaskCommandHandler {
  readonly type = ApprovePrd.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(ApprovePrd, message);
    await this.commands.change(message, { taskId: command.taskId, actor: userActor(command.userId) }, (task, cause) =>
      task.approvePrd(command.userId, command.prdVersion, cause),
    );
  }
}
