import { cutText } from '../../../../shared/kernel/text';
import { message } from '../../../../shared/messaging/contract-registry';
import type { OutgoingMessage } from '../../../../shared/messaging/envelope';
import type { Transaction } from '../../../../shared/persistence/unit-of-work';
import { FailTask, RequestClarification, SubmitPrd } from '../../../task-management/contracts';
import type { Prd } from '../../domain/prd';
import type { PrdDocument } from '../../contracts';
import { renderQuestion } from '../../domain/clarification';
import type { Assessment, AuthoredPrdOf } from '../../domain/product-manager-agent';
import type { ProductRequest } from '../../domain/product-request';
import type { Lease, StoredOutcome, WorkItem } from '../../domain/work-item';
import { outcomeMessageId, prdDraftedMessage } from '../messages';
import type { ProductDefinitionRepositories } from '../repositories';

const clipTo =
  (max: number) =>
  (text: string): string =>
    text.length <= max ? text : `${cutText(text, max - 1)}…`;
const clipReason = clipTo(2_000);
const clipLine = clipTo(5_000);

/**
 * The PRD as stored: what the agent wrote, plus what only the service may write: the request,
 * the clarification log and the feedback from its own copy, and who wrote it at what cost.
 */
export function composePrd(request: ProductRequest, assessment: AuthoredPrdOf): PrdDocument {
  return {
    ...assessment.prd,
    originalRequest: `${request.title}\n\n${request.description}`,
    clarificationLog: request.clarificationLog.map((entry) => ({ question: clipLine(entry.question), answer: clipLine(entry.answer) })),
    feedback: request.feedback.map((entry) => ({ prdVersion: entry.prdVersion, feedback: clipLine(entry.feedback) })),
    generatedBy: assessment.usage,
  };
}

function stored(outgoing: OutgoingMessage, messageId: string): StoredOutcome {
  return { type: outgoing.type, kind: 'command', key: outgoing.key, payload: outgoing.payload as Record<string, unknown>, messageId };
}

/**
 * Turns the agent's assessment into Task Management's command and commits it with the work item,
 * in the caller's transaction, only if the lease still holds: a poller that lost its item to
 * another (its lease expired) writes nothing. Returns whether it committed the outcome.
 */
export async function recordOutcome(
  tx: Transaction,
  { workItems, prds }: ProductDefinitionRepositories,
  item: WorkItem,
  lease: Lease,
  request: ProductRequest | undefined,
  assessment: Assessment,
): Promise<boolean> {
  const { taskId, taskVersion } = item;
  const id = outcomeMessageId(taskId, taskVersion);
  let prd: Prd | undefined;
  let outcome: OutgoingMessage;
  switch (assessment.kind) {
    case 'questions':
      outcome = message(RequestClarification, taskId, { taskId, questions: assessment.questions.map(renderQuestion), expectedVersion: taskVersion }, id);
      break;
    case 'prd': {
      if (!request) throw new Error(`no copy of task ${taskId} to write the PRD for`);
      prd = await prds.load(taskId);
      const drafted = prd.draft(composePrd(request, assessment), taskVersion, tx.now);
      outcome = message(SubmitPrd, taskId, { taskId, prdVersion: drafted.version, expectedVersion: taskVersion }, id);
      break;
    }
    case 'give-up':
      outcome = message(FailTask, taskId, { taskId, reason: clipReason(assessment.reason), expectedVersion: taskVersion }, id);
      break;
  }
  // The version-checked update comes first: it locks the item, and a lost lease writes nothing.
  if (!(await workItems.complete(lease, stored(outcome, id)))) return false;
  if (prd) {
    await prds.save(prd);
    for (const event of prd.pullEvents()) tx.outbox.add(prdDraftedMessage(taskId, event.prd));
  }
  tx.outbox.add(outcome);
  return true;
}
