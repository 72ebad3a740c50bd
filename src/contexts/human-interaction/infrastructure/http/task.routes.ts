import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { ActionAccepted } from '../../application/action-accepted';
import type { AnswerClarification } from '../../application/answer-clarification/answer-clarification.service';
import type { CancelTask } from '../../application/cancel-task/cancel-task.service';
import type { DecidePrd } from '../../application/decide-prd/decide-prd.service';
import type { TaskQueries, TaskSummary } from '../../application/queries/task-queries.service';
import type { SubmitRequest } from '../../application/submit-request/submit-request.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { sendPrdMarkdown } from './prd-download';
import type { IdempotentRequests } from './idempotency';
import { answersBody, approveBody, cancelBody, prdDiffQuery, prdExportQuery, rejectBody, submitRequestBody, taskParams } from './request-schemas';

export const taskLink = (taskId: string): string => `/api/tasks/${encodeURIComponent(taskId)}`;

const withLinks = (task: TaskSummary) => ({ ...task, links: { self: taskLink(task.taskId) } });

/** 202: the command is on its way; task management decides, and the task view follows. */
const accepted = (result: ActionAccepted) => ({
  taskId: result.taskId,
  action: result.action,
  taskVersion: result.taskVersion,
  status: 'accepted',
  links: { self: taskLink(result.taskId) },
});

// Bodies are optional where every field is: a bare POST means "all defaults".
const bodyOrEmpty = (body: unknown): unknown => body ?? {};

const taskIdOf = (params: unknown): string => parseInput(taskParams, params, 'taskId').taskId;

/** /api/tasks: submit, list and read tasks, and act on them (answer, approve, reject, cancel). */
@injectable()
export class TaskRoutes implements ApiRoutes {
  constructor(
    @inject(HUMAN_INTERACTION.SubmitRequest) private readonly submitRequest: SubmitRequest,
    @inject(HUMAN_INTERACTION.AnswerClarification) private readonly answerClarification: AnswerClarification,
    @inject(HUMAN_INTERACTION.DecidePrd) private readonly decidePrd: DecidePrd,
    @inject(HUMAN_INTERACTION.CancelTask) private readonly cancelTask: CancelTask,
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.IdempotentRequests) private readonly idempotent: IdempotentRequests,
  ) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    // The POSTs that create or decide take an Idempotency-Key (idempotency.ts).
    const once = (work: Parameters<IdempotentRequests['route']>[1]) => this.idempotent.route(users, work);

    app.post(
      '/tasks',
      once(async (request) => {
        const body = parseInput(submitRequestBody, request.body);
        const submitted = await this.submitRequest.execute(users.of(request), body);
        return { status: 202, body: { ...submitted, links: { self: taskLink(submitted.taskId) } } };
      }),
    );

    app.get('/tasks', async (request) => ({ tasks: (await this.queries.listTasks(users.of(request))).map(withLinks) }));

    app.get('/tasks/:taskId', async (request) => this.queries.getTask(users.of(request), taskIdOf(request.params)));

    app.get('/tasks/:taskId/prd/diff', async (request) => {
      const taskId = taskIdOf(request.params);
      const { from, to } = parseInput(prdDiffQuery, request.query, 'query');
      return this.queries.diffPrd(users.of(request), taskId, from, to);
    });

    // The PRD as a Markdown file (the same text as the inbox download and `refinery show --markdown`).
    app.get('/tasks/:taskId/prd.md', async (request, reply) => {
      const taskId = taskIdOf(request.params);
      const { version } = parseInput(prdExportQuery, request.query ?? {}, 'query');
      return sendPrdMarkdown(reply, await this.queries.exportPrd(users.of(request), taskId, version));
    });

    app.post(
      '/tasks/:taskId/answers',
      once(async (request) => {
        const { answers } = parseInput(answersBody, request.body);
        return { status: 202, body: accepted(await this.answerClarification.execute(users.of(request), taskIdOf(request.params), answers)) };
      }),
    );

    app.post(
      '/tasks/:taskId/approve',
      once(async (request) => {
        const body = parseInput(approveBody, bodyOrEmpty(request.body));
        const decision = { decision: 'approve' as const, ...(body.prdVersion !== undefined ? { prdVersion: body.prdVersion } : {}) };
        return { status: 202, body: accepted(await this.decidePrd.execute(users.of(request), taskIdOf(request.params), decision)) };
      }),
    );

    app.post(
      '/tasks/:taskId/reject',
      once(async (request) => {
        const body = parseInput(rejectBody, request.body);
        const decision = { decision: 'reject' as const, feedback: body.feedback, ...(body.prdVersion !== undefined ? { prdVersion: body.prdVersion } : {}) };
        return { status: 202, body: accepted(await this.decidePrd.execute(users.of(request), taskIdOf(request.params), decision)) };
      }),
    );

    app.post(
      '/tasks/:taskId/cancel',
      once(async (request) => {
        const { reason } = parseInput(cancelBody, bodyOrEmpty(request.body));
        return { status: 202, body: accepted(await this.cancelTask.execute(users.of(request), taskIdOf(request.params), reason || undefined)) };
      }),
    );
  }
}
