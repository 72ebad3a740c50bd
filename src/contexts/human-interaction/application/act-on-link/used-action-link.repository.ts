import type { ActionLinkClaims } from '../../domain/action-link';

/** Only the fact that a link was used is stored: the link itself carries its claims. */
export interface UsedActionLinkRepository {
  /** When the link was used, or undefined while it is still unused. */
  findUse(linkId: string): Promise<Date | undefined>;
  /** Records the use; false when the link was used already (a link works once). */
  recordUse(claims: ActionLinkClaims, at: Date): Promise<boolean>;
}
