import type { FastifyInstance } from 'fastify';
import type { ActionAccepted } from '../../application/action-accepted';
import type { AnswerClarification } from '../../application/answer-clarification/answer-clarification.service';
import type { CancelTask } from '../../application/cancel-task/cancel-task.service';
import type { DecidePrd } from '../../application/decide-prd/decide-prd.service';
import type { TaskQueries, TaskSummary } from '../../application/queries/task-queries.service';
import type { SubmitRequest } from '../../application/submit-request/submit-request.service';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { answersBody, approveBody, cancelBody, rejectBody, submitRequestBody, taskParams } from './request-schemas';

export interface TaskRouteDeps {
  readonly users: RequestUsers;
  readonly submitRequest: SubmitRequest;
  readonly answerClarification: AnswerClarification;
  readonly decidePrd: DecidePrd;
  readonly cancelTask: CancelTask;
  readonly queries: TaskQueries;
}

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

export function registerTaskRoutes(app: FastifyInstance, deps: TaskRouteDeps): void {
  const { users } = deps;
  const taskIdOf = (params: unknown): string => parseInput(taskParams, params, 'taskId').taskId;

  app.post('/tasks', async (request, reply) => {
    const body = parseInput(submitRequestBody, request.body);
    const submitted = await deps.submitRequest.execute(users.of(request), body);
    return reply.code(202).send({ ...submitted, links: { self: taskLink(submitted.taskId) } });
  });

  app.get('/tasks', async (request) => ({ tasks: (await deps.queries.listTasks(users.of(request))).map(withLinks) }));

  app.get('/tasks/:taskId', async (request) => deps.queries.getTask(users.of(request), taskIdOf(request.params)));

  app.post('/tasks/:taskId/answers', async (request, reply) => {
    const { answers } = parseInput(answersBody, request.body);
    return reply.code(202).send(accepted(await deps.answerClarification.execute(users.of(request), taskIdOf(request.params), answers)));
  });

  app.post('/tasks/:taskId/approve', async (request, reply) => {
    const body = parseInput(approveBody, bodyOrEmpty(request.body));
    const decision = { decision: 'approve' as const, ...(body.prdVersion !== undefined ? { prdVersion: body.prdVersion } : {}) };
    return reply.code(202).send(accepted(await deps.decidePrd.execute(users.of(request), taskIdOf(request.params), decision)));
  });

  app.post('/tasks/:taskId/reject', async (request, reply) => {
    const body = parseInput(rejectBody, request.body);
    const decision = { decision: 'reject' as const, feedback: body.feedback, ...(body.prdVersion !== undefined ? { prdVersion: body.prdVersion } : {}) };
    return reply.code(202).send(accepted(await deps.decidePrd.execute(users.of(request), taskIdOf(request.params), decision)));
  });

  app.post('/tasks/:taskId/cancel', async (request, reply) => {
    const { reason } = parseInput(cancelBody, bodyOrEmpty(request.body));
    return reply.code(202).send(accepted(await deps.cancelTask.execute(users.of(request), taskIdOf(request.params), reason || undefined)));
  });
}
