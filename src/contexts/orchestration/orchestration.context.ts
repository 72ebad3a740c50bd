import { inject, injectable } from 'inversify';
import type { Loop } from '../../shared/kernel/background-loop';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import { PROJECTED_EVENT_TYPES, type ProjectTaskOnTaskEvent, TASK_EVENTS_CONSUMER } from './application/project-task-on-task-event.handler';
import type { TaskScanningService } from './application/task-scanning.service';
import { COMMANDS_CONSUMER, type RedriveTaskHandler } from './application/redrive-task.handler';
import { RedriveTask } from './contracts';
import { ORCHESTRATION } from './orchestration.tokens';

/** Orchestration as the composition root sees it: task events, the re-drive command, and the scanner's loop. */
@injectable()
export class OrchestrationContext implements BoundedContext {
  readonly name = 'orchestration';
  readonly loops: readonly Loop[];

  constructor(
    @inject(ORCHESTRATION.ProjectTaskOnTaskEvent) private readonly projectTask: ProjectTaskOnTaskEvent,
    @inject(ORCHESTRATION.TaskScanningService) scanner: TaskScanningService,
    @inject(ORCHESTRATION.RedriveTask) private readonly redrive: RedriveTaskHandler,
  ) {
    this.loops = [scanner.loop];
  }

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    const unsubscribe = await queue.subscribeToEvents({
      consumer: TASK_EVENTS_CONSUMER,
      types: PROJECTED_EVENT_TYPES,
      handler: (event) => this.projectTask.handle(event),
    });
    const commands = await queue.subscribeToCommands({ consumer: COMMANDS_CONSUMER, types: [RedriveTask.type], handler: (m) => this.redrive.handle(m) });
    return [unsubscribe, commands];
  }
}
