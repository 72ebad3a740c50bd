import { inject, injectable } from 'inversify';
import { message } from '../../../../shared/messaging/contract-registry';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { type ClarificationAnswer, ProvideClarification } from '../../../task-management/contracts';
import { assertAnswersFit, assertIsRequester, type TaskView } from '../../domain/task-view';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanActionRepository } from '../human-action.repository';
import { sendHumanAction } from '../human-action.sender';
import { lockedTaskView } from '../locked-task-view';
import type { ActionAccepted } from '../action-accepted';
import type { HumanInteractionRepositoryFactory } from '../repositories';

/**
 * The answer inside a transaction the caller owns (a signed link records its use in the same one),
 * on the task view the caller row-locked in it (see lockedTaskView).
 */
export async function answerClarificationIn(
  tx: Transaction,
  humanActions: HumanActionRepository,
  requester: User,
  view: TaskView,
  answers: readonly ClarificationAnswer[],
): Promise<ActionAccepted> {
  const { taskId } = view;
  assertIsRequester(view, requester);
  assertAnswersFit(view, answers);
  const command = message(ProvideClarification, taskId, { taskId, userId: requester.id, answers: [...answers], expectedVersion: view.version });
  const messageId = await sendHumanAction(tx, humanActions, { taskId, taskVersion: view.version, action: 'answer' }, command);
  return { taskId, taskVersion: view.version, action: 'answer', messageId };
}

/** The requester answers the questions the agent asked; the task goes back to validation. */
@injectable()
export class AnswerClarification {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
  ) {}

  execute(requester: User, taskId: string, answers: readonly ClarificationAnswer[]): Promise<ActionAccepted> {
    return this.unitOfWork.run(async (tx) => {
      const { taskViews, humanActions } = this.repositories(tx);
      return answerClarificationIn(tx, humanActions, requester, await lockedTaskView(taskViews, taskId), answers);
    });
  }
}
