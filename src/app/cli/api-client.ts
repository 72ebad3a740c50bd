import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';
import { errorBody, issuesText, requestJson, requestText, type ServiceConnection } from './service-request';

/** What the CLI reads of the API's answers; unknown fields are ignored, so a newer server still works. */
const transition = z.object({
  from: z.string().nullable(),
  to: z.string(),
  version: z.number(),
  at: z.string(),
  actor: z.string(),
  reason: z.string().optional(),
  questions: z.array(z.string()).optional(),
  answers: z.array(z.object({ question: z.string(), answer: z.string() })).optional(),
  prdVersion: z.number().optional(),
  feedback: z.string().optional(),
});
export type TransitionView = z.infer<typeof transition>;

export const taskSummary = z.object({
  taskId: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.string(),
  version: z.number(),
  requesterId: z.string(),
  approverId: z.string(),
  priority: z.string(),
  prdVersion: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TaskSummaryView = z.infer<typeof taskSummary>;

const source = z.union([
  z.object({ kind: z.enum(['request']), quote: z.string() }),
  z.object({ kind: z.enum(['answer', 'feedback']), index: z.number(), quote: z.string() }),
  z.object({ kind: z.enum(['assumption']), reason: z.string() }),
]);
export type SourceView = z.infer<typeof source>;
const sources = z.array(source);
const item = z.object({ text: z.string(), sources });
export type ItemView = z.infer<typeof item>;
const requirement = z.object({ id: z.string(), description: z.string(), priority: z.string(), sources });
const prdDocument = z.object({
  title: z.string(),
  problem: z.string(),
  goals: z.array(item),
  nonGoals: z.array(item),
  userStories: z.array(z.object({ asA: z.string(), iWant: z.string(), soThat: z.string(), sources, acceptanceCriteria: z.array(item) })),
  functionalRequirements: z.array(requirement),
  nonFunctionalRequirements: z.array(requirement),
  assumptions: z.array(item),
  risks: z.array(item),
  successMetrics: z.array(item),
  openQuestions: z.array(item),
  changeLog: z.array(
    z.object({
      feedback: z.number().nullable(),
      summary: z.string(),
      added: z.array(z.string()),
      changed: z.array(z.string()),
      removed: z.array(z.string()),
      sections: z.array(z.string()),
    }),
  ),
  feedback: z.array(z.object({ prdVersion: z.number(), feedback: z.string() })),
  generatedBy: z.object({
    agent: z.string(),
    model: z.string().nullable(),
    promptVersion: z.string(),
    tokensIn: z.number(),
    tokensOut: z.number(),
    calls: z.number(),
    callMs: z.number(),
  }),
});
export type PrdDocumentView = z.infer<typeof prdDocument>;

export const taskDetails = z.object({
  task: taskSummary,
  history: z.array(transition),
  clarifications: z.array(z.object({ question: z.string(), answer: z.string().optional() })),
  prd: z.object({ version: z.number(), document: prdDocument }).nullable(),
  prdVersions: z.array(z.number()),
});
export type TaskDetailsView = z.infer<typeof taskDetails>;

const accepted = z.object({ taskId: z.string(), action: z.string(), taskVersion: z.number() });
export type AcceptedView = z.infer<typeof accepted>;

const apiToken = z.object({
  id: z.string(),
  userId: z.string(),
  label: z.string(),
  createdAt: z.string(),
  // A server from before token expiry sends none: such tokens never expire.
  expiresAt: z.string().nullable().default(null),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenView = z.infer<typeof apiToken>;

const taskPath = (taskId: string, action = '') => `/api/tasks/${encodeURIComponent(taskId)}${action ? `/${action}` : ''}`;

/**
 * The people-facing HTTP API (`/api`), its answers turned into values or CliErrors with exit
 * codes. One client per CLI invocation, and one Idempotency-Key per client: the POSTs that create
 * or decide send it, and an ambiguous failure is retried with it (requestJson).
 */
export class ApiClient {
  /** Sent on the POSTs that create or decide; each command makes at most one of them. */
  readonly idempotencyKey = randomUUID();

  constructor(private readonly options: ServiceConnection) {}

  async submit(request: { title: string; description: string; priority?: string; approverId?: string }): Promise<string> {
    return z.object({ taskId: z.string() }).parse(await this.once('/api/tasks', request)).taskId;
  }

  async list(): Promise<TaskSummaryView[]> {
    return z.object({ tasks: z.array(taskSummary) }).parse(await this.request('GET', '/api/tasks')).tasks;
  }

  /** The raw body too, for --json: printed as the server sent it. */
  async task(taskId: string): Promise<{ details: TaskDetailsView; raw: unknown }> {
    const raw = await this.request('GET', taskPath(taskId));
    return { details: taskDetails.parse(raw), raw };
  }

  /** The PRD as the server renders it to Markdown (GET /api/tasks/:id/prd.md): the newest version without `prdVersion`. */
  prdMarkdown(taskId: string, prdVersion?: number): Promise<string> {
    const query = prdVersion === undefined ? '' : `?version=${prdVersion}`;
    return requestText(this.options, `${taskPath(taskId, 'prd.md')}${query}`, 'text/markdown', failure);
  }

  async answer(taskId: string, answers: ReadonlyArray<{ question: string; answer: string }>): Promise<AcceptedView> {
    return accepted.parse(await this.once(taskPath(taskId, 'answers'), { answers }));
  }

  async approve(taskId: string, prdVersion?: number): Promise<AcceptedView> {
    return accepted.parse(await this.once(taskPath(taskId, 'approve'), prdVersion === undefined ? {} : { prdVersion }));
  }

  async reject(taskId: string, feedback: string, prdVersion?: number): Promise<AcceptedView> {
    return accepted.parse(await this.once(taskPath(taskId, 'reject'), { feedback, ...(prdVersion === undefined ? {} : { prdVersion }) }));
  }

  async cancel(taskId: string, reason?: string): Promise<AcceptedView> {
    return accepted.parse(await this.once(taskPath(taskId, 'cancel'), reason === undefined ? {} : { reason }));
  }

  async issueToken(userId: string, label: string, expiresInDays?: number): Promise<ApiTokenView & { token: string }> {
    const body = { userId, label, ...(expiresInDays === undefined ? {} : { expiresInDays }) };
    return apiToken.extend({ token: z.string() }).parse(await this.request('POST', '/api/admin/tokens', body));
  }

  async listTokens(): Promise<ApiTokenView[]> {
    return z.object({ tokens: z.array(apiToken) }).parse(await this.request('GET', '/api/admin/tokens')).tokens;
  }

  async revokeToken(id: string): Promise<ApiTokenView> {
    return z.object({ token: apiToken }).parse(await this.request('DELETE', `/api/admin/tokens/${encodeURIComponent(id)}`)).token;
  }

  private request(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<unknown> {
    return requestJson(this.options, method, path, payload, failure);
  }

  /** A POST that creates or decides: with the invocation's Idempotency-Key, retried when its outcome is unknown. */
  private once(path: string, payload: unknown): Promise<unknown> {
    return requestJson(this.options, 'POST', path, payload, failure, this.idempotencyKey);
  }
}

/** An error answer of the people-facing API as the CliError (and exit code) every command uses. */
export function failure(status: number, body: unknown, text: string): CliError {
  const parsed = errorBody.safeParse(body);
  const detail = parsed.success ? parsed.data : {};
  const reason =
    detail.message ?? (detail.issues?.length ? issuesText(detail.issues) : undefined) ?? detail.error ?? (text.trim().slice(0, 200) || 'no details');
  switch (status) {
    case 401:
      return new CliError(EXIT.unauthorised, 'not authorised (401): no token, or one the server does not know (revoked?); pass --token or set REFINERY_TOKEN');
    case 403:
      return new CliError(EXIT.unauthorised, `forbidden (403): ${reason}`);
    case 404:
      return new CliError(EXIT.refused, `not found (404): ${reason}`);
    case 409:
      return new CliError(EXIT.refused, `refused (409): ${reason}`);
    case 400:
      return new CliError(EXIT.usage, `rejected (400): ${reason}`);
    case 422:
      return new CliError(EXIT.refused, `refused (422): ${reason}`);
    case 413:
      return new CliError(EXIT.usage, `too large (413): the request is larger than the server accepts (BODY_LIMIT_BYTES)`);
    default:
      return new CliError(EXIT.failure, `server error (${status}): ${reason}`);
  }
}
