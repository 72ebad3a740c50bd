import { inject, injectable } from 'inversify';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import { findApiTokenBySha256, touchApiToken } from '../../infrastructure/persistence/sql-api-tokens';
import { isIssuedTokenShape, sha256Hex } from './api-token-secret';

/** `last_used_at` is a hint for admins, not an audit log: one write per token and period suffices. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedTokenOwners {
  /** The user an issued, unrevoked token belongs to; undefined for anything else. */
  ownerOf(token: string): Promise<string | undefined>;
  /** The same, given only the token's sha256 (64 lowercase hex digits), as a web session keeps it. */
  ownerOfSha256(sha256Hex: string): Promise<string | undefined>;
}

/**
 * Checks tokens issued at run time against their stored sha256. Read on every request, never
 * cached, so a revocation takes effect at once.
 */
@injectable()
export class IssuedTokenVerifier implements IssuedTokenOwners {
  constructor(
    @inject(SHARED.DataSource) private readonly dataSource: DataSource,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  async ownerOf(token: string): Promise<string | undefined> {
    if (!isIssuedTokenShape(token)) return undefined;
    return this.ownerOfSha256(sha256Hex(token));
  }

  async ownerOfSha256(hash: string): Promise<string | undefined> {
    const record = await findApiTokenBySha256(this.dataSource.manager, hash);
    if (!record || record.revokedAt !== null) return undefined;
    const now = this.clock.now();
    await touchApiToken(this.dataSource.manager, record.id, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
    return record.userId;
  }
}
