import { inject, injectable } from 'inversify';
import { message } from '../../../../shared/messaging/contract-registry';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { ApprovePrd, RejectPrd } from '../../../task-management/contracts';
import { assertIsApprover, prdVersionToDecide, type TaskView } from '../../domain/task-view';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ActionAccepted } from '../action-accepted';
import type { HumanActionRepository } from '../human-action.repository';
import { sendHumanAction } from '../human-action.sender';
import { lockedTaskView } from '../locked-task-view';
import type { HumanInteractionRepositoryFactory } from '../repositories';

export type PrdDecision =
  { readonly decision: 'approve'; readonly prdVersion?: number } | { readonly decision: 'reject'; readonly feedback: string; readonly prdVersion?: number };

/**
 * The decision inside a transaction the caller owns (a signed link records its use in the same
 * one), on the task view the caller row-locked in it (see lockedTaskView).
 */
export async function decidePrdIn(
  tx: Transaction,
  humanActions: HumanActionRepository,
  approver: User,
  view: TaskView,
  decision: PrdDecision,
): Promise<ActionAccepted> {
  const { taskId } = view;
  assertIsApprover(view, approver);
  const prdVersion = prdVersionToDecide(view, decision.prdVersion);
  const base = { taskId, userId: approver.id, prdVersion };
  const command = decision.decision === 'approve' ? message(ApprovePrd, taskId, base) : message(RejectPrd, taskId, { ...base, feedback: decision.feedback });
  const target = { taskId, taskVersion: view.version, action: decision.decision };
  const messageId = await sendHumanAction(tx, humanActions, target, command);
  return { ...target, messageId };
}

/** The task's approver approves the PRD, or rejects it with feedback for the next version. */
@injectable()
export class DecidePrd {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
  ) {}

  execute(approver: User, taskId: string, decision: PrdDecision): Promise<ActionAccepted> {
    return this.unitOfWork.run(async (tx) => {
      const { taskViews, humanActions } = this.repositories(tx);
      return decidePrdIn(tx, humanActions, approver, await lockedTaskView(taskViews, taskId), decision);
    });
  }
}
