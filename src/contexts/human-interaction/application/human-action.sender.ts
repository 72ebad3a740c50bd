import { deterministicId, type OutgoingMessage } from '../../../shared/messaging/envelope';
import type { Transaction } from '../../../shared/persistence/unit-of-work';
import { type HumanAction, PRD_DECISIONS } from '../domain/human-action';
import { ActionConflictError } from '../domain/human-interaction.errors';
import type { HumanActionRepository, RecordedAction } from './human-action.repository';

/** One id per task version and action: a re-send is a duplicate task management's inbox drops. */
export function humanActionId(taskId: string, taskVersion: number, action: HumanAction): string {
  return deterministicId('human-action', taskId, taskVersion, action);
}

const ALREADY: Record<HumanAction, string> = {
  create: 'the task was already submitted',
  answer: 'the questions were already answered',
  approve: 'the PRD was already decided',
  reject: 'the PRD was already decided',
  cancel: 'cancellation was already requested',
};

/**
 * Sends a person's command through the outbox and records it in the same transaction. The
 * record refuses a second identical action (409, not a second command) and is what a same-version
 * snapshot later re-sends if the command was lost. Call it with the task view row locked, and
 * `humanActions` opened on `tx`.
 */
export async function sendHumanAction(
  tx: Transaction,
  humanActions: HumanActionRepository,
  target: { readonly taskId: string; readonly taskVersion: number; readonly action: HumanAction },
  command: OutgoingMessage,
): Promise<string> {
  const { taskId, taskVersion, action } = target;
  if (PRD_DECISIONS.includes(action)) {
    const earlier = await humanActions.at(taskId, taskVersion);
    if (earlier.some((recorded) => PRD_DECISIONS.includes(recorded.action))) {
      throw new ActionConflictError(`${ALREADY[action]} for task version ${taskVersion}`);
    }
  }
  const messageId = humanActionId(taskId, taskVersion, action);
  tx.outbox.add({ ...command, messageId });
  const envelope = tx.outbox.messages.at(-1);
  if (!envelope) throw new Error('the outbox lost the command just added');
  if (!(await humanActions.record({ taskId, taskVersion, action, envelope }, tx.now))) {
    throw new ActionConflictError(`${ALREADY[action]} for task version ${taskVersion}`);
  }
  return messageId;
}

/** Sends a recorded command again with its original message id (task management's inbox drops a duplicate). */
export async function resendHumanAction(tx: Transaction, humanActions: HumanActionRepository, recorded: RecordedAction): Promise<void> {
  const { type, kind, key, payload, messageId } = recorded.envelope;
  tx.outbox.add({ type, kind, key, payload, messageId });
  await humanActions.markResent(recorded, tx.now);
}
