import { message } from '../../../shared/messaging/contract-registry';
import { deterministicId, type OutgoingMessage } from '../../../shared/messaging/envelope';
import { TaskCreated, TaskStatusChanged } from '../contracts';
import type { Task } from '../domain/task';

/**
 * One announcement per unit of work, carrying the whole new snapshot (event-carried state): a
 * consumer that missed earlier events can catch up from this one. The id is derived from the
 * task version, so the announcement of one version is always the same message.
 */
export function announcementsOf(task: Task): OutgoingMessage[] {
  const events = task.pullEvents();
  if (events.length === 0) return [];
  const contract = events.some((event) => event.type === 'TaskCreated') ? TaskCreated : TaskStatusChanged;
  return [message(contract, task.id, task.toSnapshot(), deterministicId(contract.type, task.id, task.version))];
}
