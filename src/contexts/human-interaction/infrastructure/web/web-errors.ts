import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ALWAYS_AVAILABLE, type DependencyAvailability, RETRY_AFTER_SECONDS } from '../../../../shared/kernel/availability';
import type { Logger } from '../../../../shared/logging/logger';
import {
  ActionConflictError,
  InvalidRequestError,
  NotAllowedError,
  NotificationNotFoundError,
  PrdVersionNotFoundError,
  TaskNotFoundError,
} from '../../domain/human-interaction.errors';
import { html, type SafeHtml } from './html';
import { messagePage } from './views/layout';

/** Back to the task the failed request was about, when its URL names one; else the inbox. */
function backLink(request: FastifyRequest): SafeHtml {
  const taskId = (request.params as { taskId?: unknown } | undefined)?.taskId;
  return typeof taskId === 'string' && taskId.length > 0
    ? html`<a href="/inbox/tasks/${encodeURIComponent(taskId)}">Back to the task</a>`
    : html`<a href="/inbox">Back to your inbox</a>`;
}

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

const FRAMEWORK_REFUSALS: Partial<Record<number, string>> = {
  413: 'What you sent is too large.',
  415: 'The form was sent in a format this page does not accept.',
  429: 'Too many attempts from your address. Wait a minute, then try again.',
};

/** The web inbox's errors as pages: domain refusals get their status and say why; the rest is logged and hidden. */
export function webErrorHandler(logger: Logger, availability: DependencyAvailability = ALWAYS_AVAILABLE) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const show = (status: number, heading: string, message: SafeHtml) =>
      sendPage(reply, status, messagePage({ title: heading, user: null, heading }, message, backLink(request)));
    if (error instanceof TaskNotFoundError || error instanceof PrdVersionNotFoundError || error instanceof NotificationNotFoundError)
      return show(404, 'Not found', html`<p>${error.message}.</p>`);
    if (error instanceof NotAllowedError) return show(403, 'Not yours to see or do', html`<p>${error.message}.</p>`);
    if (error instanceof ActionConflictError)
      return show(409, 'That can no longer be done', html`<p>${error.message}.</p><p>The task has moved on; open it to see where it stands.</p>`);
    if (error instanceof InvalidRequestError) {
      return show(400, 'Nothing was sent', html`<ul>${error.issues.map((i) => html`<li>${i.field}: ${i.message}</li>`)}</ul>`);
    }
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      return show(status, 'Request refused', html`<p>${FRAMEWORK_REFUSALS[status] ?? 'The request could not be read.'}</p>`);
    }
    const outage = await availability.diagnose(error);
    if (outage) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return show(
        503,
        'Temporarily unavailable',
        html`<p>${outage.dependency} cannot be reached just now, so nothing was changed. Try again in ${String(RETRY_AFTER_SECONDS)} seconds.</p>`,
      );
    }
    logger.error({ err: error, method: request.method, url: request.routeOptions.url, requestId: request.id }, 'web inbox request failed');
    return show(500, 'Something went wrong', html`<p>The error was logged. Try again in a moment.</p>`);
  };
}
