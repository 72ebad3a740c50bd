import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import type { ApiTokenRecord, ApiTokenRepository } from '../../application/api-tokens/api-token.repository';

const TABLE = 'human_interaction.api_tokens';
// Never the hash: nothing read from here for display needs it.
const COLUMNS = 'id, user_id, label, created_at, expires_at, last_used_at, revoked_at';

const apiTokenRow = z.object({
  id: z.string(),
  user_id: z.string(),
  label: z.string(),
  created_at: z.coerce.date(),
  expires_at: z.coerce.date().nullable(),
  last_used_at: z.coerce.date().nullable(),
  revoked_at: z.coerce.date().nullable(),
});

function toRecord(row: unknown): ApiTokenRecord {
  const r = apiTokenRow.parse(row);
  return {
    id: r.id,
    userId: r.user_id,
    label: r.label,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export class PostgresApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, sha256Hex: string): Promise<void> {
    await execute(this.manager, `INSERT INTO ${TABLE} (id, user_id, token_sha256, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      token.id,
      token.userId,
      sha256Hex,
      token.label,
      token.createdAt,
      token.expiresAt,
    ]);
  }

  async list(limit: number): Promise<ApiTokenRecord[]> {
    const { rows } = await execute(this.manager, `SELECT ${COLUMNS} FROM ${TABLE} ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toRecord);
  }

  async revoke(id: string, at: Date): Promise<ApiTokenRecord | undefined> {
    const { rows } = await execute(this.manager, `UPDATE ${TABLE} SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`, [id, at]);
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  }

  /**
   * The lookup goes through the unique index: the hash of a random 32-byte secret leaks nothing
   * useful through the index's timing.
   */
  async findBySha256(sha256Hex: string): Promise<ApiTokenRecord | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${COLUMNS} FROM ${TABLE} WHERE token_sha256 = $1`, [sha256Hex]);
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  }

  async touch(id: string, at: Date, staleBefore: Date): Promise<void> {
    await execute(this.manager, `UPDATE ${TABLE} SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, [id, at, staleBefore]);
  }
}
