import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import {
  claimIdempotencyKey,
  IdempotencyKeyBusyError,
  type IdempotencyScope,
  type RecordedAnswer,
  recordIdempotentAnswer,
} from '../../../../shared/persistence/idempotency/idempotency-keys';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { InvalidRequestError } from '../../domain/human-interaction.errors';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { RequestUsers } from './bearer-auth';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** On a replayed answer: the answer is the first request's, nothing was done this time. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** What an idempotent route's work answers: its status and JSON body. */
export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The key as sent, or undefined without one; a 400 naming the header when it is unusable. */
export function idempotencyKeyOf(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const refuse = (message: string) => new InvalidRequestError([{ field: IDEMPOTENCY_KEY_HEADER, message }]);
  if (Array.isArray(value)) throw refuse('send one key, not several');
  const key = value.trim();
  if (key.length === 0) throw refuse('must not be empty');
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) throw refuse(`must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);
  if (!/^[\x20-\x7e]+$/.test(key)) throw refuse('must be printable ASCII');
  return key;
}

/** JSON with every object's keys sorted: the same request content gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  // As JSON.stringify does inside an array (an undefined field was dropped above).
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** What makes two requests "the same request": their path parameters and body (a bare POST counts as `{}`). */
function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(canonicalJson({ params: request.params ?? {}, body: request.body ?? {} }))
    .digest('hex');
}

/**
 * `Idempotency-Key` on the /api POSTs that create or decide. Without the header a route runs as
 * before. With it, the key (per user and route) is claimed, the route's work done and its answer
 * recorded in one transaction (`UnitOfWork.around`: the service's own transaction joins it), so
 * a repeat of the same request gets the first answer byte for byte and does nothing, even when
 * the first one's answer was lost after its commit. A concurrent repeat waits for the first (up
 * to `waitMs`, then 409 with Retry-After); the key with a different request is 422. A request
 * that fails (4xx, 5xx) records nothing: it did nothing, and the same key may try again.
 */
@injectable()
export class IdempotentRequests {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Options) private readonly options: HumanInteractionOptions,
  ) {}

  /** A route handler doing `work` at most once per Idempotency-Key. */
  route(users: RequestUsers, work: (request: FastifyRequest) => Promise<RouteAnswer>) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const key = idempotencyKeyOf(request.headers['idempotency-key']);
      if (key === undefined) {
        const answer = await work(request);
        return reply.code(answer.status).send(answer.body);
      }
      const scope: IdempotencyScope = { userId: users.of(request).id, route: `${request.method} ${request.routeOptions.url ?? request.url}`, key };
      const fingerprint = fingerprintOf(request);
      const { ttlMs, waitMs } = this.options.idempotency;
      let outcome: { kind: 'done' | 'replayed'; answer: RecordedAnswer } | { kind: 'mismatch' };
      try {
        outcome = await this.unitOfWork.around(async (tx) => {
          const claim = await claimIdempotencyKey(tx.manager, scope, fingerprint, tx.now, ttlMs, waitMs);
          if (claim.kind === 'mismatch') return claim;
          if (claim.kind === 'answered') return { kind: 'replayed' as const, answer: claim.answer };
          const done = await work(request);
          const answer = { status: done.status, body: JSON.stringify(done.body) };
          await recordIdempotentAnswer(tx.manager, scope, answer);
          return { kind: 'done' as const, answer };
        });
      } catch (error) {
        if (!(error instanceof IdempotencyKeyBusyError)) throw error;
        return reply
          .code(409)
          .header('retry-after', '1')
          .send({ error: 'idempotency_key_in_progress', message: `a request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress; try again later` });
      }
      if (outcome.kind === 'mismatch') {
        return reply.code(422).send({
          error: 'idempotency_key_reused',
          message: `${IDEMPOTENCY_KEY_HEADER} was already used for a different request to ${scope.route}; use a new key for a new request`,
        });
      }
      if (outcome.kind === 'replayed') reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return reply.code(outcome.answer.status).type(JSON_CONTENT_TYPE).send(outcome.answer.body);
    };
  }
}
