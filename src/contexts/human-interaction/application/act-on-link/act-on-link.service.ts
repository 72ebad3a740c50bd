import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { PrdDocument } from '../../../product-definition/contracts';
import type { ClarificationAnswer } from '../../../task-management/contracts';
import type { ActionLinkClaims } from '../../domain/action-link';
import { ActionConflictError, NotAllowedError } from '../../domain/human-interaction.errors';
import { type DecisionRules, ownRequestRefusal, pendingQuestions, type TaskView } from '../../domain/task-view';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import type { User, UserDirectory } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ActionAccepted } from '../action-accepted';
import { answerClarificationIn } from '../answer-clarification/answer-clarification.service';
import { decidePrdIn, PRD_ON_ITS_WAY } from '../decide-prd/decide-prd.service';
import type { HumanInteractionRepositories, HumanInteractionRepositoryFactory } from '../repositories';
import type { ActionLinkTokens } from './action-link-tokens';
import { type LinkRefused, notAllowed, refused, superseded } from './link-check';
import type { Alert } from '../../domain/alert';
import { type RedriveRequested, requestRedriveIn } from '../alerts/redrive-from-alert';

export type { LinkRefused } from './link-check';

/** What a usable link acts on, for the page that asks the person to confirm. */
export interface LinkTarget {
  readonly claims: ActionLinkClaims;
  readonly user: User;
  readonly view: TaskView;
  /** The questions an answer link answers, in the order they were asked; empty otherwise. */
  readonly questions: readonly string[];
  /** The PRD version a decision link decides on; null for an answer link. */
  readonly prd: { readonly version: number; readonly document: PrdDocument } | null;
  /** The alert a re-drive link comes from; null for other links. */
  readonly alert: Alert | null;
}

export type LinkInspection = { readonly ok: true; readonly target: LinkTarget } | LinkRefused;
export type LinkOutcome = { readonly ok: true; readonly target: LinkTarget; readonly accepted: ActionAccepted | RedriveRequested } | LinkRefused;

/** What the person sent on the link's page, checked: the answers to its questions, or rejection feedback. */
export interface LinkInput {
  readonly answers?: readonly ClarificationAnswer[];
  readonly feedback?: string;
}

/**
 * Reads the link page's form for what the link acts on (the questions it answers, say); throws
 * InvalidRequestError naming the field when the form does not do. Called inside the transaction,
 * once the link is known to work: a refused link is refused whatever was typed.
 */
export type LinkForm = (target: LinkTarget) => LinkInput;

/** Thrown inside the transaction to roll the action back when the link's use cannot be recorded. */
class LinkUsedMeanwhile extends Error {}

/**
 * A signed link from a notification: looking at it (GET) only checks it, using it (POST) performs
 * its action as the person it was sent to and records the use in the same transaction, so it
 * works once (and marks the task's notifications to that person read). Mail scanners prefetch links: a GET never acts.
 */
@injectable()
export class ActOnLink {
  private readonly rules: DecisionRules;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(HUMAN_INTERACTION.LinkSigner) private readonly signer: ActionLinkTokens,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: UserDirectory,
    @inject(HUMAN_INTERACTION.Options) options: Pick<HumanInteractionOptions, 'approvalFourEyes'>,
  ) {
    this.rules = { fourEyes: options.approvalFourEyes };
  }

  /** Whether the link would work now, and what it would do; changes nothing. */
  async inspect(token: string): Promise<LinkInspection> {
    const opened = this.open(token);
    if (!opened.ok) return opened;
    return this.unitOfWork.read((session) => {
      const repositories = this.repositories(session);
      return this.examine(repositories, opened.claims, (taskId) => repositories.taskViews.find(taskId));
    });
  }

  /** Performs the link's action; a refusal changes nothing. Throws the form's InvalidRequestError. */
  async use(token: string, form: LinkForm): Promise<LinkOutcome> {
    const opened = this.open(token);
    if (!opened.ok) return opened;
    const { claims } = opened;
    try {
      return await this.unitOfWork.run(async (tx): Promise<LinkOutcome> => {
        const repositories = this.repositories(tx);
        // The row lock first: two uses of one link (or two actions on one task) go in turn.
        const checked = await this.examine(repositories, claims, (taskId) => repositories.taskViews.lock(taskId));
        if (!checked.ok) return checked;
        const accepted = await this.perform(tx, repositories, checked.target, form(checked.target));
        if (!(await repositories.usedActionLinks.recordUse(claims, tx.now))) throw new LinkUsedMeanwhile();
        // Acting on the task is seeing it: its notifications to this person are read.
        await repositories.notifications.markTaskRead(claims.userId, claims.taskId, tx.now);
        return { ok: true, target: checked.target, accepted };
      });
    } catch (error) {
      if (error instanceof LinkUsedMeanwhile) return refused('used', 'This link has already been used.', claims.taskId);
      // Someone acted on the task by another way (the task page, the API) since the checks.
      if (error instanceof ActionConflictError) return refused('superseded', `${capitalised(error.message)}.`, claims.taskId);
      if (error instanceof NotAllowedError) return refused('not-allowed', `${capitalised(error.message)}.`, claims.taskId);
      throw error;
    }
  }

  private open(token: string): { readonly ok: true; readonly claims: ActionLinkClaims } | LinkRefused {
    const opened = this.signer.open(token, this.clock.now());
    if (opened.ok) return opened;
    const why = {
      malformed: 'This is not a Refinery action link: part of it may be missing. Copy the whole link from the notification.',
      tampered: 'This link has been altered, so Refinery cannot trust it. Use the link exactly as it was sent.',
      expired: 'This link has expired. Open the task to see where it stands and act from there.',
    }[opened.reason];
    return refused(opened.reason, why, null);
  }

  private async examine(
    repositories: HumanInteractionRepositories,
    claims: ActionLinkClaims,
    read: (taskId: string) => Promise<TaskView | undefined>,
  ): Promise<LinkInspection> {
    const view = await read(claims.taskId);
    if (!view) return refused('superseded', 'The task this link is about no longer exists.', claims.taskId);
    const usedAt = await repositories.usedActionLinks.findUse(claims.linkId);
    if (usedAt) return refused('used', `This link was already used, at ${usedAt.toISOString()}. It works once.`, claims.taskId, view.status);
    const user = this.users.findById(claims.userId);
    const refusal = notAllowed(claims, user, view) ?? superseded(claims, view);
    if (refusal || !user) return refusal ?? refused('not-allowed', 'This link belongs to nobody Refinery knows.', claims.taskId);
    // Four-eyes: a decision link to the task's own requester is refused on opening, not only on use.
    const ownRequest = claims.action === 'approve' || claims.action === 'reject' ? ownRequestRefusal(view, user, this.rules) : undefined;
    if (ownRequest) return refused('not-allowed', `${capitalised(ownRequest)}.`, claims.taskId, view.status);
    const alert = claims.action === 'redrive' ? await repositories.alerts.findByNotification(claims.notificationId) : undefined;
    if (claims.action === 'redrive') {
      if (!alert) return refused('superseded', 'The alert this link comes from no longer exists.', claims.taskId, view.status);
      if (alert.redrive) {
        const at = alert.redrive.at.toISOString();
        return refused(
          'used',
          `${alert.redrive.by} already asked for a re-drive of this stall, at ${at}. It is sent once per stall.`,
          claims.taskId,
          view.status,
        );
      }
      if (alert.resolvedAt) return refused('superseded', 'The task has moved on since this alert: there is nothing to re-drive.', claims.taskId, view.status);
    }
    const questions = claims.action === 'answer' ? pendingQuestions(view) : [];
    const prd = claims.prdVersion === null ? undefined : await repositories.prdViews.find(claims.taskId, claims.prdVersion);
    // A decision is on a document the approver can read (decidePrdIn refuses it too).
    if ((claims.action === 'approve' || claims.action === 'reject') && claims.prdVersion !== null && !prd) {
      return refused(
        'superseded',
        `${capitalised(PRD_ON_ITS_WAY)}: version ${claims.prdVersion} has not arrived here yet; try again shortly.`,
        claims.taskId,
        view.status,
      );
    }
    return {
      ok: true,
      target: { claims, user, view, questions, prd: prd ? { version: prd.prdVersion, document: prd.document } : null, alert: alert ?? null },
    };
  }

  /** The target's view was row-locked by `examine` in this transaction: acted on as read. */
  private async perform(
    tx: Transaction,
    repositories: HumanInteractionRepositories,
    target: LinkTarget,
    input: LinkInput,
  ): Promise<ActionAccepted | RedriveRequested> {
    const { humanActions } = repositories;
    const { claims, user, view } = target;
    if (claims.action === 'redrive') {
      if (!target.alert) throw new Error('a re-drive link acts only with the alert examine found');
      const requested = await requestRedriveIn(tx, repositories, user, target.alert);
      if (requested === 'already-requested') throw new LinkUsedMeanwhile();
      return requested;
    }
    if (claims.action === 'answer') return answerClarificationIn(tx, humanActions, user, view, input.answers ?? []);
    const prdVersion = claims.prdVersion ?? undefined;
    if (claims.action === 'approve')
      return decidePrdIn(tx, repositories, user, view, { decision: 'approve', ...(prdVersion ? { prdVersion } : {}) }, this.rules);
    if (input.feedback === undefined) throw new Error('a reject link acts only with the feedback its form read');
    return decidePrdIn(tx, repositories, user, view, { decision: 'reject', feedback: input.feedback, ...(prdVersion ? { prdVersion } : {}) }, this.rules);
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
