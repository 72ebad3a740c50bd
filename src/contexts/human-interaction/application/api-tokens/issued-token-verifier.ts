import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import type { TokenRefused } from '../../../../shared/auth/token-refusal';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import { isIssuedTokenShape, sha256Hex } from './api-token-secret';

/** `last_used_at` is a hint for admins, not an audit log: one write per token and period suffices. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedTokenOwners {
  /**
   * The user an issued, unrevoked, unexpired token belongs to; undefined for anything else.
   * `refused` hears why, when the token is an expired one.
   */
  ownerOf(token: string, refused?: TokenRefused): Promise<string | undefined>;
  /** The same, given only the token's sha256 (64 lowercase hex digits), as a web session keeps it. */
  ownerOfSha256(sha256Hex: string, refused?: TokenRefused): Promise<string | undefined>;
}

/**
 * Checks tokens issued at run time against their stored sha256. Read on every request, never
 * cached, so a revocation takes effect at once; an expiry is compared with the service's clock.
 */
@injectable()
export class IssuedTokenVerifier implements IssuedTokenOwners {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  async ownerOf(token: string, refused?: TokenRefused): Promise<string | undefined> {
    if (!isIssuedTokenShape(token)) return undefined;
    return this.ownerOfSha256(sha256Hex(token), refused);
  }

  async ownerOfSha256(hash: string, refused?: TokenRefused): Promise<string | undefined> {
    return this.unitOfWork.read(async (session) => {
      const { apiTokens } = this.repositories(session);
      const record = await apiTokens.findBySha256(hash);
      if (!record || record.revokedAt !== null) return undefined;
      const now = this.clock.now();
      if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) {
        refused?.({ reason: 'expired', tokenId: record.id });
        return undefined;
      }
      await apiTokens.touch(record.id, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
      return record.userId;
    });
  }
}
