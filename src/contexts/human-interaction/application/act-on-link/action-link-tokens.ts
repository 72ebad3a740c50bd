import type { ActionLinkClaims } from '../../domain/action-link';

export type OpenedLink =
  { readonly ok: true; readonly claims: ActionLinkClaims } | { readonly ok: false; readonly reason: 'malformed' | 'tampered' | 'expired' };

/**
 * Turns a link's claims into the token the link carries, and a token back into its claims: only
 * a token made here opens, unaltered and unexpired. Whether a link was used or superseded needs
 * the database: see ActOnLink.
 */
export interface ActionLinkTokens {
  sign(claims: ActionLinkClaims): string;
  open(token: string, now: Date): OpenedLink;
}
