import type { TokenRefused } from '../../shared/auth/token-refusal';
import { bearerTokenOf, TokenTable } from '../../shared/auth/token-table';
import type { ConfiguredUser, UserRole } from '../config';

/** Who a bearer token belongs to, as far as the app-level routes need to know. */
export interface Caller {
  readonly id: string;
  readonly roles: readonly UserRole[];
}

/** `refused` hears why a token was refused when it is more than unknown (an expired issued one). */
export type BearerAuthenticator = (token: string, refused?: TokenRefused) => Promise<Caller | undefined>;

/**
 * Configured tokens only: for a process that does not run the human-interaction context, which
 * otherwise authenticates (issued tokens included).
 */
export function configuredTokensAuthenticator(users: readonly ConfiguredUser[]): BearerAuthenticator {
  const table = new TokenTable(users.map((user) => ({ owner: { id: user.id, roles: [...user.roles] }, credential: user })));
  return async (token) => table.ownerOfToken(token);
}

export { bearerTokenOf };
