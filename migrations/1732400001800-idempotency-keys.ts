import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The HTTP counterpart of the inbox: an `Idempotency-Key` a caller sent on a request that
 * succeeded, with the answer it got, written in the same transaction as the request's effect.
 * Scoped per user and route; `expires_at` ends its use, and the retention sweep deletes it later.
 */
export class IdempotencyKeys1732400001800 implements MigrationInterface {
  name = 'IdempotencyKeys1732400001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messaging.idempotency_keys (
        user_id text NOT NULL,
        route text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        -- NULL only inside the transaction that claimed the key; it commits them with the effect.
        response_status integer,
        response_body text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, route, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_at ON messaging.idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messaging.idempotency_keys`);
  }
}
