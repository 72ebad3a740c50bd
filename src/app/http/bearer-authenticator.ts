import { createHash, timingSafeEqual } from 'node:crypto';
import type { ConfiguredUser, UserRole } from '../config';

/** Who a bearer token belongs to, as far as the app-level routes need to know. */
export interface Caller {
  readonly id: string;
  readonly roles: readonly UserRole[];
}

export type BearerAuthenticator = (token: string) => Promise<Caller | undefined>;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Configured tokens only (constant-time compare of sha256s): for a process that does not run the
 * human-interaction context, which otherwise authenticates (issued tokens included).
 */
export function configuredTokensAuthenticator(users: readonly ConfiguredUser[]): BearerAuthenticator {
  const entries = users.map((user) => ({
    caller: { id: user.id, roles: [...user.roles] },
    hash: user.token !== undefined ? sha256(user.token) : Buffer.from(user.tokenSha256 ?? '', 'hex'),
  }));
  return async (token) => {
    const presented = sha256(token);
    let found: Caller | undefined;
    for (const entry of entries) {
      if (entry.hash.length === presented.length && timingSafeEqual(entry.hash, presented) && !found) found = entry.caller;
    }
    return found;
  };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}
