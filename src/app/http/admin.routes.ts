import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { storedText } from '../../shared/kernel/text';
import { type DependencyAvailability, outageBody, RETRY_AFTER_SECONDS } from '../../shared/kernel/availability';
import { RetryableError } from '../../shared/kernel/errors';
import type { DeadLetterAdmin } from '../../shared/messaging/message-queue';
import { refusalNoterFor } from '../../shared/auth/token-refusal';
import { type BearerAuthenticator, bearerTokenOf, type Caller } from './bearer-authenticator';
import { replyUnauthorized } from '../../shared/http/unauthorized';

// Strict: a misspelt selector (`?typ=`) must not silently widen a replay or a purge to everything.
export const deadLetterSelector = z.object({ id: storedText().min(1).optional(), type: storedText().min(1).optional() }).strict();
export const deadLetterListQuery = z.object({ consumer: storedText().min(1).optional() }).strict();
const consumerParams = z.object({ consumer: storedText().min(1) });
const deadLetterParams = z.object({ consumer: storedText().min(1), id: storedText().min(1) });

/**
 * Writes one admin action to the audit log, whichever way it ends (`work` says what it did).
 * Human interaction keeps the log; a process without it has none and runs the work unrecorded.
 */
export type AdminAudit = (
  caller: Caller,
  action: string,
  target: string,
  work: () => Promise<{ readonly result: number; readonly detail: string }>,
) => Promise<number>;

export interface AdminDeps {
  readonly deadLetters: DeadLetterAdmin;
  readonly audit?: AdminAudit;
  /** Any admin's valid token: configured, or issued at run time when human interaction runs here. */
  readonly authenticate: BearerAuthenticator;
  /** PostgreSQL's availability: a failure it shows to be an outage is a 503 naming it. */
  readonly availability?: DependencyAvailability;
}

/** Parses `input` or answers 400 naming each bad field, as the rest of the HTTP API does. */
function parseOr400<T>(schema: z.ZodType<T>, input: unknown, reply: FastifyReply): T | undefined {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: 'invalid_request', issues: parsed.error.issues.map((i) => ({ field: fieldOf(i), message: i.message })) });
  return undefined;
}

// An unknown key is reported on the object itself; the operator needs the key's name.
function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.join(',');
  return issue.path.join('.');
}

// fastify's own 4xx (malformed JSON, wrong content type) stay 4xx; a broker that is down is the
// operator's next thing to fix, not a bug, so it is a 503 rather than a 500.
function statusOf(error: unknown): number {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return error instanceof RetryableError ? 503 : 500;
}

/** "task-management.commands (type x)": what an action selected, for the audit log. */
function selectionText(consumer: string, filter: { readonly id?: string; readonly type?: string }): string {
  const parts = [filter.id && `id ${filter.id}`, filter.type && `type ${filter.type}`].filter(Boolean);
  return parts.length === 0 ? `${consumer}: every dead letter` : `${consumer}: ${parts.join(', ')}`;
}

function errorBody(error: unknown): { error: string; message: string } {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return { error: status < 500 ? 'invalid_request' : status === 503 ? 'unavailable' : 'internal_error', message };
}

/** Dead-letter tooling for operators: list, show, replay, purge. Needs the token of a person with role admin. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const callers = new WeakMap<FastifyRequest, Caller>();
  void app.register(
    async (scope) => {
      // 401: nobody we know (no token, or one nobody has); 403: known, but not an admin.
      scope.addHook('onRequest', async (request, reply) => {
        const token = bearerTokenOf(request.headers.authorization);
        const caller = token === undefined ? undefined : await deps.authenticate(token, refusalNoterFor(request));
        if (!caller) return replyUnauthorized(reply);
        if (!caller.roles.includes('admin')) return reply.code(403).send({ error: 'forbidden' });
        callers.set(request, caller);
        return undefined;
      });
      scope.setErrorHandler(async (error, _request, reply) => {
        const outage = await deps.availability?.diagnose(error);
        if (outage) return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(outageBody(outage));
        return reply.code(statusOf(error)).send(errorBody(error));
      });

      scope.get('/dead-letters', async (request, reply) => {
        const query = parseOr400(deadLetterListQuery, request.query, reply);
        if (!query) return reply;
        return { deadLetters: await deps.deadLetters.listDeadLetters(query.consumer) };
      });
      scope.get('/dead-letters/:consumer/:id', async (request, reply) => {
        const params = parseOr400(deadLetterParams, request.params, reply);
        if (!params) return reply;
        const { consumer, id } = params;
        const deadLetter = (await deps.deadLetters.listDeadLetters(consumer)).find((d) => d.id === id);
        if (!deadLetter) return reply.code(404).send({ error: 'not_found', message: `no dead letter ${id} for consumer ${consumer}` });
        return { deadLetter };
      });
      const audited = (request: FastifyRequest, action: string, target: string, work: () => Promise<number>, verb: string): Promise<number> => {
        const caller = callers.get(request);
        if (!deps.audit || !caller) return work();
        return deps.audit(caller, action, target, async () => {
          const n = await work();
          return { result: n, detail: `${verb} ${n}` };
        });
      };
      scope.post('/dead-letters/:consumer/replay', async (request, reply) => {
        const filter = parseOr400(deadLetterSelector, request.body, reply);
        if (!filter) return reply;
        const params = parseOr400(consumerParams, request.params, reply);
        if (!params) return reply;
        const { consumer } = params;
        const replayed = await audited(
          request,
          'dead-letters.replay',
          selectionText(consumer, filter),
          () => deps.deadLetters.replayDeadLetters(consumer, filter),
          'replayed',
        );
        return { replayed };
      });
      scope.delete('/dead-letters/:consumer', async (request, reply) => {
        const filter = parseOr400(deadLetterSelector, request.query, reply);
        if (!filter) return reply;
        const params = parseOr400(consumerParams, request.params, reply);
        if (!params) return reply;
        const { consumer } = params;
        const purged = await audited(
          request,
          'dead-letters.purge',
          selectionText(consumer, filter),
          () => deps.deadLetters.purgeDeadLetters(consumer, filter),
          'purged',
        );
        return { purged };
      });
    },
    { prefix: '/admin' },
  );
}
