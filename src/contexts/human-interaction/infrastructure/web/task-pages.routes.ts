import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inject, injectable } from 'inversify';
import { textProblem } from '../../../../shared/kernel/text';
import type { AnswerClarification } from '../../application/answer-clarification/answer-clarification.service';
import type { DecidePrd } from '../../application/decide-prd/decide-prd.service';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { TaskPageDetails, TaskQueries } from '../../application/queries/task-queries.service';
import { ActionConflictError, InvalidRequestError, TaskNotFoundError } from '../../domain/human-interaction.errors';
import type { User } from '../../domain/user';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { sendPrdMarkdown } from '../http/prd-download';
import { prdExportQuery } from '../http/request-schemas';
import { parseInput } from '../http/http-errors';
import { formBody } from './form-fields';
import { approval, pageAnswers, rejection, shownAtVersion } from './task-forms';
import { liveSection, pendingQuestionsOf, type TaskPageModel, taskPage } from './views/task-page';
import type { WebAuth, WebUsers } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/** The confirmations a redirect after a form may show: fixed texts, nothing from the URL is echoed. */
const CONFIRMATIONS: Record<string, string> = {
  submitted: 'Your request was submitted. The agent looks at it in a moment; this page follows it.',
  answered: 'Your answers were sent. The agent is working on them.',
  approved: 'You approved the PRD.',
  rejected: 'You rejected the PRD; the agent is writing the next version with your feedback.',
};

export function taskIdOf(request: FastifyRequest): string {
  const taskId = (request.params as { taskId?: string }).taskId ?? '';
  if (taskId.length === 0 || taskId.length > 200) throw new TaskNotFoundError(taskId.slice(0, 200));
  const problem = textProblem(taskId);
  if (problem !== undefined) throw new InvalidRequestError([{ field: 'taskId', message: problem }]);
  return taskId;
}

/** `?version=n` of the task page (a PRD version), the other query parameters (`done`) left aside. */
function versionQuery(request: FastifyRequest): { version?: unknown } {
  const { version } = (request.query ?? {}) as { version?: unknown };
  return version === undefined ? {} : { version };
}

const taskPath = (taskId: string) => `/inbox/tasks/${encodeURIComponent(taskId)}`;

/** /inbox/tasks/:taskId: the task page (its live section alone too), and its forms to answer and decide. */
@injectable()
export class TaskPages implements WebPages {
  constructor(
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(HUMAN_INTERACTION.AnswerClarification) private readonly answerClarification: AnswerClarification,
    @inject(HUMAN_INTERACTION.DecidePrd) private readonly decidePrd: DecidePrd,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: Pick<WebUsers, 'findById'>,
    @inject(HUMAN_INTERACTION.Options) private readonly options: Pick<HumanInteractionOptions, 'approvalFourEyes'>,
  ) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const guarded = { preHandler: auth.requireUser };

    app.get('/tasks/:taskId', guarded, async (request, reply) => {
      const user = auth.of(request);
      const taskId = taskIdOf(request);
      const { version } = parseInput(prdExportQuery, versionQuery(request), 'query');
      const shown = await this.queries.getTaskPage(user, taskId, version);
      const { details } = shown;
      // Opening the task is seeing what its notifications announced.
      await this.inbox.markTaskRead(user.id, details.task.taskId);
      const done = (request.query as { done?: unknown } | undefined)?.done;
      // Own keys only: `?done=constructor` must not show Object's constructor as a confirmation.
      const flash = typeof done === 'string' && Object.hasOwn(CONFIRMATIONS, done) ? CONFIRMATIONS[done] : undefined;
      return sendPage(reply, 200, taskPage({ ...(await this.model(user, shown, flash)), flashWhileUntouched: done === 'submitted' }));
    });

    // The live section alone, for the page's script to swap in (of the version the page shows).
    app.get('/tasks/:taskId/live', guarded, async (request, reply) => {
      const user = auth.of(request);
      const taskId = taskIdOf(request);
      const { version } = parseInput(prdExportQuery, versionQuery(request), 'query');
      const shown = await this.queries.getTaskPage(user, taskId, version);
      return sendPage(reply, 200, liveSection(await this.model(user, shown)).toString());
    });

    // The PRD download: the same Markdown and access rule as GET /api/tasks/:taskId/prd.md, with the session cookie.
    app.get('/tasks/:taskId/prd.md', guarded, async (request, reply) => {
      const taskId = taskIdOf(request);
      const { version } = parseInput(prdExportQuery, request.query ?? {}, 'query');
      return sendPrdMarkdown(reply, await this.queries.exportPrd(auth.of(request), taskId, version));
    });

    app.post('/tasks/:taskId/answer', guarded, async (request, reply) => {
      const user = auth.of(request);
      const taskId = taskIdOf(request);
      const body = formBody(request.body);
      const details = await this.queries.getTask(user, taskId);
      // Answers pair with questions by position: only with the questions the form showed.
      if (shownAtVersion(body) !== details.task.version) {
        throw new ActionConflictError(`the task changed since the page was loaded (it is now ${details.task.status}); reload it`);
      }
      await this.answerClarification.execute(user, taskId, pageAnswers(body, pendingQuestionsOf(details)));
      return reply
        .code(303)
        .header('location', `${taskPath(taskId)}?done=answered`)
        .send();
    });

    app.post('/tasks/:taskId/approve', guarded, async (request, reply) => {
      const taskId = taskIdOf(request);
      const { prdVersion } = approval(formBody(request.body));
      await this.decidePrd.execute(auth.of(request), taskId, { decision: 'approve', prdVersion });
      return reply
        .code(303)
        .header('location', `${taskPath(taskId)}?done=approved`)
        .send();
    });

    app.post('/tasks/:taskId/reject', guarded, async (request, reply) => {
      const taskId = taskIdOf(request);
      const { feedback, prdVersion } = rejection(formBody(request.body));
      await this.decidePrd.execute(auth.of(request), taskId, { decision: 'reject', feedback, prdVersion });
      return reply
        .code(303)
        .header('location', `${taskPath(taskId)}?done=rejected`)
        .send();
    });
  }

  private async model(viewer: User, { details, changes, defaultPrdVersion }: TaskPageDetails, flash?: string): Promise<TaskPageModel> {
    const ids = [details.task.requesterId, details.task.approverId, ...details.history.flatMap((t) => (t.actor.startsWith('user:') ? [t.actor.slice(5)] : []))];
    const names = new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await this.nameOf(id)] as const)));
    return {
      details,
      changes,
      defaultPrdVersion,
      viewer,
      nameOf: (id) => names.get(id) ?? id,
      fourEyes: this.options.approvalFourEyes,
      ...(flash ? { flash } : {}),
    };
  }

  private async nameOf(userId: string): Promise<string> {
    return (await this.users.findById(userId))?.name ?? userId;
  }
}
