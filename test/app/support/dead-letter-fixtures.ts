import { randomUUID } from 'node:crypto';
import type { Application } from '../../../src/app/container';
import { ApprovePrd, CancelTask } from '../../../src/contexts/task-management/contracts';
import { message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../../src/shared/messaging/in-memory/in-memory-message-queue';
import type { DeadLetter } from '../../../src/shared/messaging/message-queue';
import { eventually } from '../../support/eventually';

/** Task Management's command queue: where an approval of an unknown task ends up dead. */
export const COMMANDS = 'task-management.commands';

async function deadLetterOf(app: Application, taskId: string): Promise<DeadLetter> {
  return eventually(async () => {
    const found = (await app.queue.listDeadLetters(COMMANDS)).find((d) => JSON.stringify(d.message).includes(taskId));
    if (!found) throw new Error(`no dead letter for ${taskId} yet`);
    return found;
  });
}

/**
 * An approval of a task that does not exist: valid on the wire, refused by the domain
 * (TaskNotFound), so it is dead-lettered at once, and again every time it is replayed.
 */
export async function deadLetterAnApproval(app: Application, taskId: string = randomUUID()): Promise<DeadLetter> {
  await app.queue.publishCommand(createEnvelope(message(ApprovePrd, taskId, { taskId, userId: 'bob', prdVersion: 1 })));
  return deadLetterOf(app, taskId);
}

/** A cancel-task the contract refuses (empty userId): dead-lettered by validation, never handled. */
export async function deadLetterAnInvalidCancel(app: Application, taskId: string = randomUUID()): Promise<DeadLetter> {
  if (!(app.transport instanceof InMemoryMessageQueue)) throw new Error('an unchecked publish needs the in-memory transport');
  await app.transport.publishUnchecked('command', createEnvelope(message(CancelTask, taskId, { taskId, userId: '' })));
  return deadLetterOf(app, taskId);
}

/** Waits until `original` has been replayed and dead-lettered again (a new record, a new id). */
export async function deadLetteredAgain(app: Application, original: DeadLetter): Promise<DeadLetter> {
  return eventually(async () => {
    const again = (await app.queue.listDeadLetters(COMMANDS)).find(
      (d) => d.id !== original.id && JSON.stringify(d.message) === JSON.stringify(original.message),
    );
    if (!again) throw new Error('not dead-lettered again yet');
    return again;
  });
}
