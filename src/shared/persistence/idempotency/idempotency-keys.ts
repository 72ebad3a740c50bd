import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../sql';

/** Whose key it is and where it was sent: the same key of another user or route is another key. */
export interface IdempotencyScope {
  readonly userId: string;
  readonly route: string;
  readonly key: string;
}

/** The answer the first request got, as it was sent (the body byte for byte). */
export interface RecordedAnswer {
  readonly status: number;
  readonly body: string;
}

export type IdempotencyClaim =
  /** Nobody used the key (or its use expired): the caller does the work and records its answer. */
  | { readonly kind: 'claimed' }
  /** A request with the same key and the same content succeeded: its answer, nothing to do. */
  | { readonly kind: 'answered'; readonly answer: RecordedAnswer }
  /** The key was used for a different request. */
  | { readonly kind: 'mismatch' };

/** A request with the same key is still running after the caller waited `waitMs` for it. */
export class IdempotencyKeyBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`a request with this Idempotency-Key is still in progress (waited ${waitedMs} ms)`);
    this.name = 'IdempotencyKeyBusyError';
  }
}

const stored = z.object({ request_hash: z.string(), response_status: z.number().int().nullable(), response_body: z.string().nullable() });

/** PostgreSQL's lock_not_available: the wait for the other request's transaction hit lock_timeout. */
function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return code === '55P03';
}

/**
 * Claims `scope` for one request, in that request's transaction (`UnitOfWork.around`): the row
 * inserted here is what a concurrent request with the same key waits on (the primary key), for
 * at most `waitMs`, until this transaction ends. If it commits (the effect and the answer
 * together, `recordIdempotentAnswer`), the waiter gets the answer; if it rolls back (the request
 * failed, or the process died before the commit), the waiter claims the key and does the work.
 * So the work is done once, and a retry after a lost answer never does it again.
 */
export async function claimIdempotencyKey(
  manager: EntityManager,
  scope: IdempotencyScope,
  requestHash: string,
  now: Date,
  ttlMs: number,
  waitMs: number,
): Promise<IdempotencyClaim> {
  const key = [scope.userId, scope.route, scope.key];
  // A row deleted by the retention sweep between the insert and the read: claim again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows: previous } = await execute(manager, `SELECT current_setting('lock_timeout') AS value`);
    const restore = z.array(z.object({ value: z.string() })).parse(previous)[0]?.value ?? '0';
    let claimed: boolean;
    try {
      await execute(manager, `SELECT set_config('lock_timeout', $1, true)`, [`${waitMs}ms`]);
      const { rows } = await execute(
        manager,
        `INSERT INTO messaging.idempotency_keys (user_id, route, idempotency_key, request_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, route, idempotency_key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
               created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
           WHERE messaging.idempotency_keys.expires_at <= EXCLUDED.created_at
         RETURNING true AS claimed`,
        [...key, requestHash, now, new Date(now.getTime() + ttlMs)],
      );
      claimed = rows.length === 1;
    } catch (error) {
      if (isLockTimeout(error)) throw new IdempotencyKeyBusyError(waitMs);
      throw error;
    }
    await execute(manager, `SELECT set_config('lock_timeout', $1, true)`, [restore]);
    if (claimed) return { kind: 'claimed' };
    const { rows } = await execute(
      manager,
      `SELECT request_hash, response_status, response_body FROM messaging.idempotency_keys WHERE user_id = $1 AND route = $2 AND idempotency_key = $3`,
      key,
    );
    const row = rows[0] === undefined ? undefined : stored.parse(rows[0]);
    if (row === undefined) continue;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.response_status === null || row.response_body === null) throw new Error('an idempotency key was committed without its answer');
    return { kind: 'answered', answer: { status: row.response_status, body: row.response_body } };
  }
  throw new Error('could not claim an idempotency key: it kept disappearing');
}

/** Stores the answer of the request that claimed `scope`, in its transaction (so with its effect). */
export async function recordIdempotentAnswer(manager: EntityManager, scope: IdempotencyScope, answer: RecordedAnswer): Promise<void> {
  const { affected } = await execute(
    manager,
    `UPDATE messaging.idempotency_keys SET response_status = $4, response_body = $5 WHERE user_id = $1 AND route = $2 AND idempotency_key = $3`,
    [scope.userId, scope.route, scope.key, answer.status, answer.body],
  );
  if (affected !== 1) throw new Error('recording an idempotent answer: the claimed key is gone');
}
