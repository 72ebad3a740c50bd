import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { channelPreferencesBody, channelPreferencesView } from './channel-schemas';
import { deliveryListQuery, deliveryListView, deliveryRetryBody, deliveryRetryView } from './delivery-admin.schemas';
import {
  redriveView,
  stalledListView,
  stalledParams,
  agentPoolBody,
  agentPoolRequestView,
  agentPoolView,
  auditListQuery,
  auditListView,
} from './ops-api.schemas';
import {
  answersBody,
  approveBody,
  cancelBody,
  notificationListQuery,
  notificationParams,
  prdDiffQuery,
  prdExportQuery,
  rejectBody,
  submitRequestBody,
  taskParams,
} from './request-schemas';
import {
  acceptedView,
  apiTokenListView,
  bodyTooLargeError,
  conflictError,
  forbiddenError,
  idempotencyKeyInProgressError,
  idempotencyKeyReusedError,
  invalidRequestError,
  issuedTokenView,
  markedReadView,
  notFoundError,
  notificationListView,
  oneApiTokenView,
  oneNotificationView,
  prdDiffView,
  submittedView,
  taskDetailsView,
  taskListView,
  unauthorizedError,
} from './response-schemas';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENT_REPLAYED_HEADER } from './idempotency';
import { issueTokenBody, tokenParams } from './token.routes';

/**
 * The /api routes for the OpenAPI document, built from the same zod schemas the routes parse
 * with. The composition root adds its own routes and serves the whole at /docs.
 */

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const response = (description: string, schema: z.ZodType, id?: string): ZodOpenApiResponseObject => ({
  description,
  content: json(schema),
  ...(id ? { id } : {}),
});

// Registered once as components (`id`), referenced by every operation.
const ERRORS = {
  400: response('Invalid request: each issue names the field', invalidRequestError, 'InvalidRequestResponse'),
  401: response('No valid bearer token', unauthorizedError, 'UnauthorizedResponse'),
  403: response('Known caller, but not allowed: not their task, or not their role', forbiddenError, 'ForbiddenResponse'),
  404: response('Not found', notFoundError, 'NotFoundResponse'),
  409: response('Conflict: the task is not in a state for this action (for channels: the channel is not configured here)', conflictError, 'ConflictResponse'),
  413: response('Body larger than BODY_LIMIT_BYTES', bodyTooLargeError, 'BodyTooLargeResponse'),
} as const;

type ErrorStatus = keyof typeof ERRORS;

/** Every /api operation: bearer auth, 401 without it, and the errors it can answer. */
function operation(
  summary: string,
  tag: string,
  ok: Record<string, ZodOpenApiResponseObject>,
  errors: readonly ErrorStatus[],
  extra: Omit<ZodOpenApiOperationObject, 'responses' | 'summary' | 'tags'> = {},
): ZodOpenApiOperationObject {
  const responses: ZodOpenApiOperationObject['responses'] = { ...ok };
  for (const status of [401, ...errors] as const) responses[`${status}`] = ERRORS[status];
  return { summary, tags: [tag], security: [{ bearer: [] }], responses, ...extra };
}

const idempotencyKeyHeader = z.object({
  [IDEMPOTENCY_KEY_HEADER]: z.string().min(1).max(IDEMPOTENCY_KEY_MAX_LENGTH).optional().meta({
    description:
      'Optional; a fresh random value (a UUID) per request you mean to make once. Sent again with the same request (same caller, route, path and body) it gets the first answer, status and body byte for byte, and nothing is done again, for IDEMPOTENCY_KEY_TTL_MS (24 h); a concurrent repeat waits for the first. A failed request (4xx, 5xx) records nothing',
  }),
});
const replayedHeader = z.object({
  [IDEMPOTENT_REPLAYED_HEADER]: z.literal('true').optional().meta({ description: "Present when this is a repeated Idempotency-Key's recorded answer" }),
});

// One object: a response with an `id` is registered once as a component.
const KEY_REUSED = response('The Idempotency-Key was used for a different request', idempotencyKeyReusedError, 'IdempotencyKeyReusedResponse');

/**
 * A POST that creates or decides: the Idempotency-Key header, the replay marker on its success
 * answer, 422 for the key reused with another request, and 409 for "still in progress".
 */
function idempotent(op: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, answer] of Object.entries(op.responses as Record<string, ZodOpenApiResponseObject>)) {
    responses[status] = status.startsWith('2') ? { ...answer, headers: replayedHeader } : answer;
  }
  const conflict = responses['409'];
  responses['409'] = response(
    conflict
      ? `${ERRORS[409].description}; or a request with this Idempotency-Key is still in progress (with Retry-After)`
      : 'A request with this Idempotency-Key is still in progress (with Retry-After)',
    conflict ? z.union([conflictError, idempotencyKeyInProgressError]) : idempotencyKeyInProgressError,
  );
  responses['422'] = KEY_REUSED;
  return { ...op, requestParams: { ...op.requestParams, header: idempotencyKeyHeader }, responses };
}

const withBody = (schema: z.ZodType, required = true) => ({ requestBody: { required, content: json(schema) } });
const taskPath = { requestParams: { path: taskParams } };
const BODY_ERRORS = [400, 413] as const;
const channelView = channelPreferencesView.meta({ id: 'ChannelPreferences' });

export const humanInteractionApiPaths: ZodOpenApiPathsObject = {
  '/api/tasks': {
    post: idempotent(
      operation(
        'Submit a feature request (requester)',
        'tasks',
        { 202: response('Accepted', submittedView) },
        [...BODY_ERRORS, 403],
        withBody(submitRequestBody),
      ),
    ),
    get: operation("The caller's tasks (an admin's: all)", 'tasks', { 200: response('Tasks, newest first', taskListView) }, []),
  },
  '/api/tasks/{taskId}': {
    get: operation(
      'A task: summary, full history, clarification Q&A, latest PRD and its versions',
      'tasks',
      { 200: response('The task', taskDetailsView) },
      [403, 404],
      taskPath,
    ),
  },
  '/api/tasks/{taskId}/prd/diff': {
    get: operation(
      "What changed between two stored PRD versions: each requirement by id (added, removed, changed with a word diff, unchanged), the other sections, and the newer version's change log",
      'tasks',
      { 200: response('The diff', prdDiffView) },
      [400, 403, 404],
      { requestParams: { path: taskParams, query: prdDiffQuery } },
    ),
  },
  '/api/tasks/{taskId}/prd.md': {
    get: operation(
      'One PRD version (the newest without `version`) as a Markdown file: every section, the sources of each statement, the change log and who wrote it; what people and the agent wrote is Markdown-escaped',
      'tasks',
      {
        200: {
          description: 'The PRD as Markdown, as a download named `<slug of the task title>-v<n>.md`',
          headers: z.object({ 'content-disposition': z.string().meta({ description: 'attachment; filename="<slug>-v<n>.md"' }) }),
          content: { 'text/markdown; charset=utf-8': { schema: z.string() } },
        },
      },
      [400, 403, 404],
      { requestParams: { path: taskParams, query: prdExportQuery } },
    ),
  },
  '/api/tasks/{taskId}/answers': {
    post: idempotent(
      operation(
        'Answer the pending clarification questions (the requester); each answer names its question',
        'tasks',
        { 202: response('Accepted', acceptedView) },
        [...BODY_ERRORS, 403, 404, 409],
        { ...taskPath, ...withBody(answersBody) },
      ),
    ),
  },
  '/api/tasks/{taskId}/approve': {
    post: idempotent(
      operation('Approve the PRD awaiting a decision (the approver)', 'tasks', { 202: response('Accepted', acceptedView) }, [...BODY_ERRORS, 403, 404, 409], {
        ...taskPath,
        ...withBody(approveBody, false),
      }),
    ),
  },
  '/api/tasks/{taskId}/reject': {
    post: idempotent(
      operation(
        'Reject the PRD with feedback (the approver); the agent writes the next version',
        'tasks',
        { 202: response('Accepted', acceptedView) },
        [...BODY_ERRORS, 403, 404, 409],
        {
          ...taskPath,
          ...withBody(rejectBody),
        },
      ),
    ),
  },
  '/api/tasks/{taskId}/cancel': {
    post: idempotent(
      operation('Cancel a task that is not finished (the requester)', 'tasks', { 202: response('Accepted', acceptedView) }, [...BODY_ERRORS, 403, 404, 409], {
        ...taskPath,
        ...withBody(cancelBody, false),
      }),
    ),
  },
  '/api/notifications': {
    get: operation(
      "The caller's in-app inbox, newest first, each with its state now (needs-you, done, superseded, task-finished), its links and, while it needs the caller, its signed action links; `?state=needs-you` lists only what still needs the caller",
      'notifications',
      { 200: response('Notifications', notificationListView) },
      [400],
      { requestParams: { query: notificationListQuery } },
    ),
  },
  '/api/notifications/read-all': {
    post: operation("Mark all the caller's unread notifications read", 'notifications', { 200: response('How many were marked', markedReadView) }, []),
  },
  '/api/notifications/{notificationId}/read': {
    post: operation(
      'Mark a notification read (the first read time stays)',
      'notifications',
      { 200: response('The notification', oneNotificationView) },
      [404],
      {
        requestParams: { path: notificationParams },
      },
    ),
  },
  '/api/admin/tokens': {
    post: operation(
      'Issue an API token for a configured person (admin), optionally expiring; the token is in this answer only; written to the audit log',
      'admin',
      { 201: response('Issued', issuedTokenView) },
      [...BODY_ERRORS, 403],
      withBody(issueTokenBody),
    ),
    get: operation(
      'Issued API tokens, revoked ones included; never a token or its hash (admin)',
      'admin',
      { 200: response('Tokens', apiTokenListView) },
      [403],
    ),
  },
  '/api/admin/tokens/{tokenId}': {
    delete: operation(
      'Revoke an issued token: it is refused (401) from the next request on (admin); written to the audit log',
      'admin',
      { 200: response('Revoked', oneApiTokenView) },
      [403, 404],
      {
        requestParams: { path: tokenParams },
      },
    ),
  },
  '/api/admin/deliveries': {
    get: operation(
      'Email and webhook deliveries in one status (default failed), newest first; the target only as its email domain or webhook host (admin)',
      'admin',
      { 200: response('Deliveries', deliveryListView) },
      [400, 403],
      { requestParams: { query: deliveryListQuery } },
    ),
  },
  '/api/admin/deliveries/retry': {
    post: operation(
      'Send failed deliveries again with a fresh set of attempts: one (404 if none such, 409 if not failed) or all failed ones (admin)',
      'admin',
      { 200: response('How many are pending again', deliveryRetryView) },
      [...BODY_ERRORS, 403, 404, 409],
      withBody(deliveryRetryBody),
    ),
  },
  '/api/admin/audit': {
    get: operation(
      'The audit log: every operator action of the /ops console and the admin API (who, what, on what, when, how it ended), newest first (admin)',
      'admin',
      { 200: response('Operator actions', auditListView) },
      [400, 403],
      { requestParams: { query: auditListQuery } },
    ),
  },
  '/api/admin/stalled': {
    get: operation(
      'Open stall episodes: tasks the scanner found stuck longer than their state allows that have not moved on, oldest first (admin)',
      'admin',
      { 200: response('Stalled tasks', stalledListView) },
      [403],
    ),
  },
  '/api/admin/stalled/{alertId}/redrive': {
    post: operation(
      'Re-drive the task of an open stall now: orchestration sends its step again, once per stall (409 when asked already or the task moved on); written to the audit log (admin)',
      'admin',
      { 202: response('Sent', redriveView) },
      [403, 409],
      { requestParams: { path: stalledParams } },
    ),
  },
  '/api/admin/agent-pool': {
    get: operation(
      "The agent pool's switch as last announced by product definition (who paused or resumed it, when, why) and the tasks waiting for the agent (admin)",
      'admin',
      { 200: response('The agent pool', agentPoolView) },
      [403],
    ),
    post: operation(
      'Pause or resume the agent pool: while paused no process claims work, tasks stay in REQUEST_VALIDATION with their attempts unspent; sent as a command, written to the audit log (admin)',
      'admin',
      { 202: response('Asked; GET shows the switch once product definition handled it', agentPoolRequestView) },
      [...BODY_ERRORS, 403],
      withBody(agentPoolBody),
    ),
  },
  '/api/me/channels': {
    get: operation("The caller's notification channels (the in-app inbox is always on)", 'channels', { 200: response('Channels', channelView) }, []),
    put: operation(
      "Choose the caller's channels: the whole choice, a channel left out or null is off",
      'channels',
      { 200: response('Channels now', channelView) },
      [...BODY_ERRORS, 409],
      withBody(channelPreferencesBody),
    ),
  },
};
