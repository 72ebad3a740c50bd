import { message } from '../../../shared/messaging/contract-registry';
import { deterministicId, type OutgoingMessage } from '../../../shared/messaging/envelope';
import { PrdDrafted } from '../contracts';
import type { PrdVersion } from '../domain/prd';

/**
 * One id per PRD version: drafting and every later re-emission (to repair a lost event) carry the
 * same id, so receivers keep one copy.
 */
export function prdDraftedMessage(taskId: string, prd: PrdVersion): OutgoingMessage {
  return message(
    PrdDrafted,
    taskId,
    { taskId, prdVersion: prd.version, basedOnTaskVersion: prd.basedOnTaskVersion, prd: prd.document, draftedAt: prd.createdAt.toISOString() },
    deterministicId('prd-drafted', taskId, prd.version),
  );
}

/** One outcome per task version: a re-sent outcome is a duplicate Task Management's inbox drops. */
export function outcomeMessageId(taskId: string, taskVersion: number): string {
  return deterministicId('pd-outcome', taskId, taskVersion);
}
