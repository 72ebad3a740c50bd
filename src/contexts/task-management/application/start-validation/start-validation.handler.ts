import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { StartValidation } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { ORCHESTRATION_ACTOR } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { TaskCommandHandler } from '../task-command-handler';
import type { TaskCommands } from '../task-commands';

/** The scanner hands a new task to an agent pool. */
@injectable()
export class StartValidationHandler implements TaskCommandHandler {
  readonly type = StartValidation.type;

  constructor(@inject(TASK_MANAGEMENT.TaskCommands) private readonly commands: TaskCommands) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(StartValidation, message);
    await this.commands.change(message, { taskId: command.taskId, expectedVersion: command.expectedVersion, actor: ORCHESTRATION_ACTOR }, (task, cause) =>
      task.startValidation(command.pool, cause),
    );
  }
}
