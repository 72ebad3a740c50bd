import { inject, injectable } from 'inversify';
import { message } from '../../../../shared/messaging/contract-registry';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { ApprovePrd, RejectPrd } from '../../../task-management/contracts';
import { assertIsApprover, assertNotOwnRequest, type DecisionRules, prdVersionToDecide, type TaskView } from '../../domain/task-view';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ActionAccepted } from '../action-accepted';
import { ActionConflictError } from '../../domain/human-interaction.errors';
import { sendHumanAction } from '../human-action.sender';
import { lockedTaskView } from '../locked-task-view';
import type { HumanInteractionRepositories, HumanInteractionRepositoryFactory } from '../repositories';

export type PrdDecision =
  { readonly decision: 'approve'; readonly prdVersion?: number } | { readonly decision: 'reject'; readonly feedback: string; readonly prdVersion?: number };

/** What a decision needs: where it records the command, and the PRD versions this context holds. */
export type DecisionRepositories = Pick<HumanInteractionRepositories, 'humanActions' | 'prdViews'>;

/** The refusal of a decision on a PRD version whose document has not reached this context. */
export const PRD_ON_ITS_WAY = 'the PRD is still on its way';

/**
 * The decision inside a transaction the caller owns (a signed link records its use in the same
 * one), on the task view the caller row-locked in it (see lockedTaskView). A decision is on a
 * document the approver can read: a version announced by the task but whose `prd-drafted` has not
 * arrived (late, or lost and waiting for its repair) is refused with a 409 until it is here.
 * Under four-eyes (`rules.fourEyes`, APPROVAL_FOUR_EYES) the task's requester is refused (403)
 * even when they are its approver: every way to decide (API, task page, link) comes through here.
 */
export async function decidePrdIn(
  tx: Transaction,
  { humanActions, prdViews }: DecisionRepositories,
  approver: User,
  view: TaskView,
  decision: PrdDecision,
  rules: DecisionRules,
): Promise<ActionAccepted> {
  const { taskId } = view;
  assertIsApprover(view, approver);
  assertNotOwnRequest(view, approver, rules);
  const prdVersion = prdVersionToDecide(view, decision.prdVersion);
  if (!(await prdViews.has(taskId, prdVersion))) {
    throw new ActionConflictError(`${PRD_ON_ITS_WAY}: version ${prdVersion} of task ${taskId} has not arrived here yet; try again shortly`);
  }
  const base = { taskId, userId: approver.id, prdVersion };
  const command = decision.decision === 'approve' ? message(ApprovePrd, taskId, base) : message(RejectPrd, taskId, { ...base, feedback: decision.feedback });
  const target = { taskId, taskVersion: view.version, action: decision.decision };
  const messageId = await sendHumanAction(tx, humanActions, target, command);
  return { ...target, messageId };
}

/** The task's approver approves the PRD, or rejects it with feedback for the next version. */
@injectable()
export class DecidePrd {
  private readonly rules: DecisionRules;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.Options) options: Pick<HumanInteractionOptions, 'approvalFourEyes'>,
  ) {
    this.rules = { fourEyes: options.approvalFourEyes };
  }

  execute(approver: User, taskId: string, decision: PrdDecision): Promise<ActionAccepted> {
    return this.unitOfWork.run(async (tx) => {
      const repositories = this.repositories(tx);
      return decidePrdIn(tx, repositories, approver, await lockedTaskView(repositories.taskViews, taskId), decision, this.rules);
    });
  }
}
