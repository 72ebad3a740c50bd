import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { RejectPrd } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { userActor } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The approver sent the PRD back with feedback; the agent writes another version. */
@injectable()
export class RejectPrdHandler implements TaskCommandHandler {
  readonly type = RejectPrd.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(RejectPrd, message);
    await this.commands.change(message, { taskId: command.taskId, actor: userActor(command.userId) }, (task, cause) =>
      task.rejectPrd(command.userId, command.prdVersion, command.feedback, cause),
    );
  }
}
