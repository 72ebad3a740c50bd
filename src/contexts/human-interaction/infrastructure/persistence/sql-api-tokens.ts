import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';

const TABLE = 'human_interaction.api_tokens';
// Never the hash: nothing read from here for display needs it.
const COLUMNS = 'id, user_id, label, created_at, last_used_at, revoked_at';

/** An issued API token as stored: its sha256 only, never the token. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly label: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

const apiTokenRow = z.object({
  id: z.string(),
  user_id: z.string(),
  label: z.string(),
  created_at: z.coerce.date(),
  last_used_at: z.coerce.date().nullable(),
  revoked_at: z.coerce.date().nullable(),
});

function toRecord(row: unknown): ApiTokenRecord {
  const r = apiTokenRow.parse(row);
  return { id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at };
}

export async function insertApiToken(manager: EntityManager, token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, sha256Hex: string): Promise<void> {
  await execute(manager, `INSERT INTO ${TABLE} (id, user_id, token_sha256, label, created_at) VALUES ($1, $2, $3, $4, $5)`, [
    token.id,
    token.userId,
    sha256Hex,
    token.label,
    token.createdAt,
  ]);
}

/** Newest first; revoked ones too, so an admin sees what was revoked and when. */
export async function listApiTokens(manager: EntityManager, limit: number): Promise<ApiTokenRecord[]> {
  const { rows } = await execute(manager, `SELECT ${COLUMNS} FROM ${TABLE} ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
  return rows.map(toRecord);
}

/**
 * Revokes once: a second revoke keeps the first time. Undefined when there is no such token.
 */
export async function revokeApiToken(manager: EntityManager, id: string, at: Date): Promise<ApiTokenRecord | undefined> {
  const { rows } = await execute(manager, `UPDATE ${TABLE} SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`, [id, at]);
  return rows.length === 0 ? undefined : toRecord(rows[0]);
}

/**
 * The token whose sha256 this is. The lookup goes through the unique index: the hash of a random
 * 32-byte secret leaks nothing useful through the index's timing.
 */
export async function findApiTokenBySha256(manager: EntityManager, sha256Hex: string): Promise<ApiTokenRecord | undefined> {
  const { rows } = await execute(manager, `SELECT ${COLUMNS} FROM ${TABLE} WHERE token_sha256 = $1`, [sha256Hex]);
  return rows.length === 0 ? undefined : toRecord(rows[0]);
}

/** Records a use; only when the last recorded one is older than `staleBefore`, to spare a write per request. */
export async function touchApiToken(manager: EntityManager, id: string, at: Date, staleBefore: Date): Promise<void> {
  await execute(manager, `UPDATE ${TABLE} SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, [id, at, staleBefore]);
}
