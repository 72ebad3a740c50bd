import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ALWAYS_AVAILABLE, type DependencyAvailability, outageBody, RETRY_AFTER_SECONDS } from '../../../../shared/kernel/availability';
import type { Logger } from '../../../../shared/logging/logger';
import {
  ActionConflictError,
  InvalidRequestError,
  NotAllowedError,
  NotificationNotFoundError,
  PrdVersionNotFoundError,
  type RequestIssue,
  TaskNotFoundError,
} from '../../domain/human-interaction.errors';

function issuesOf(error: z.ZodError, root: string): RequestIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'is not a known field' }));
    return [{ field: path.length > 0 ? path.join('.') : root, message: issue.message }];
  });
}

/** Parses an HTTP input with zod; a failure names each offending field (zod issue paths). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(issuesOf(parsed.error, root));
  return parsed.data;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Domain refusals become their HTTP status; a failure a probe shows to be an outage (PostgreSQL
 * unreachable) is a 503 with Retry-After naming it; anything else unexpected is logged and hidden.
 */
export function errorHandler(logger: Logger, availability: DependencyAvailability = ALWAYS_AVAILABLE) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (error instanceof InvalidRequestError) return reply.code(400).send({ error: 'invalid_request', issues: error.issues });
    if (error instanceof TaskNotFoundError || error instanceof PrdVersionNotFoundError || error instanceof NotificationNotFoundError) {
      return reply.code(404).send({ error: 'not_found', message: error.message });
    }
    if (error instanceof NotAllowedError) return reply.code(403).send({ error: 'forbidden', message: error.message });
    if (error instanceof ActionConflictError) return reply.code(409).send({ error: 'conflict', message: error.message });
    const status = statusOf(error);
    // Fastify's own refusals (malformed JSON, empty or oversized body, wrong content type).
    if (status !== undefined && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'invalid request';
      return reply.code(status).send({ error: 'invalid_request', issues: [{ field: 'body', message }] });
    }
    const outage = await availability.diagnose(error);
    if (outage) return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(outageBody(outage));
    logger.error({ err: error, method: request.method, route: request.routeOptions.url, requestId: request.id }, 'request failed');
    return reply.code(500).send({ error: 'internal' });
  };
}
