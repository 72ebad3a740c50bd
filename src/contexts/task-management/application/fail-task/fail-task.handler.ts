import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { FailTask } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { PRODUCT_MANAGER_AGENT_ACTOR } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The agent gave up on the request. */
@injectable()
export class FailTaskHandler implements TaskCommandHandler {
  readonly type = FailTask.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(FailTask, message);
    await this.commands.change(
      message,
      { taskId: command.taskId, expectedVersion: command.expectedVersion, actor: PRODUCT_MANAGER_AGENT_ACTOR },
      (task, cause) => task.fail(command.reason, cause),
    );
  }
}
