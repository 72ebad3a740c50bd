import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { ProvideClarification } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { userActor } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The requester answered the agent's questions; validation resumes. */
@injectable()
export class ProvideClarificationHandler implements TaskCommandHandler {
  readonly type = ProvideClarification.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(ProvideClarification, message);
    await this.commands.change(message, { taskId: command.taskId, expectedVersion: command.expectedVersion, actor: userActor(command.userId) }, (task, cause) =>
      task.provideClarification(command.userId, command.answers, cause),
    );
  }
}
