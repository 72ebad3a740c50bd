import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { message } from '../../../../shared/messaging/contract-registry';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { CreateTask, type TaskPriority } from '../../../task-management/contracts';
import { UNCONFIRMED_VERSION } from '../../domain/human-action';
import { InvalidRequestError, NotAllowedError } from '../../domain/human-interaction.errors';
import { hasRole, type User, type UserDirectory } from '../../domain/user';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { sendHumanAction } from '../human-action.sender';
import type { HumanInteractionRepositoryFactory } from '../repositories';

export interface SubmitRequestInput {
  readonly title: string;
  readonly description: string;
  readonly priority?: TaskPriority;
  readonly approverId?: string;
}

export interface SubmittedRequest {
  readonly taskId: string;
  readonly status: 'NEW';
}

/** A requester asks for a feature: the task exists here at once, task management confirms later. */
@injectable()
export class SubmitRequest {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: UserDirectory,
    @inject(HUMAN_INTERACTION.Options) private readonly options: Pick<HumanInteractionOptions, 'approvalFourEyes'>,
  ) {}

  async execute(requester: User, input: SubmitRequestInput): Promise<SubmittedRequest> {
    if (!hasRole(requester, 'requester')) throw new NotAllowedError(`${requester.id} may not submit requests`);
    const approver = this.approverFor(requester, input.approverId);
    const taskId = randomUUID();
    const priority = input.priority ?? 'normal';
    await this.unitOfWork.run(async (tx) => {
      const { taskViews, humanActions } = this.repositories(tx);
      await taskViews.insertSubmitted({
        taskId,
        requesterId: requester.id,
        approverId: approver.id,
        title: input.title,
        description: input.description,
        priority,
        status: 'NEW',
        version: UNCONFIRMED_VERSION,
        snapshot: null,
        createdAt: tx.now,
        updatedAt: tx.now,
      });
      const payload = { taskId, title: input.title, description: input.description, requesterId: requester.id, approverId: approver.id, priority };
      await sendHumanAction(tx, humanActions, { taskId, taskVersion: UNCONFIRMED_VERSION, action: 'create' }, message(CreateTask, taskId, payload));
    });
    return { taskId, status: 'NEW' };
  }

  /**
   * The approver named, or the first configured one. Under four-eyes (APPROVAL_FOUR_EYES) the
   * requester is never the approver: the fallback passes over them, naming themselves is refused,
   * and with no other approver configured the request is refused (400 naming approverId) rather
   * than created for a decision nobody may make.
   */
  private approverFor(requester: User, approverId: string | undefined): User {
    const fourEyes = this.options.approvalFourEyes;
    if (approverId === undefined) {
      const fallback = this.users.firstWithRole('approver', fourEyes ? requester.id : undefined);
      if (fallback) return fallback;
      const why =
        fourEyes && this.users.firstWithRole('approver')
          ? 'no approver other than you is configured, and you may not approve your own request (four-eyes)'
          : 'no approver is configured; name one';
      throw new InvalidRequestError([{ field: 'approverId', message: why }]);
    }
    const named = this.users.findById(approverId);
    if (!named || !hasRole(named, 'approver')) throw new InvalidRequestError([{ field: 'approverId', message: `${approverId} is not an approver` }]);
    if (fourEyes && named.id === requester.id) {
      throw new InvalidRequestError([{ field: 'approverId', message: 'you may not approve your own request (four-eyes): name another approver' }]);
    }
    return named;
  }
}
