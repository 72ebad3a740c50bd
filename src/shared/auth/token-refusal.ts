/**
 * Why a presented token was refused when it is more than "nobody has this token": an issued
 * token whose expiry has passed. The caller still answers 401 exactly as for an unknown token (a
 * client learns nothing from the answer); the reason is for the operator, in the refusal's log
 * line and in `refinery_auth_failures_total{reason}`.
 */
export interface TokenRefusal {
  readonly reason: 'expired';
  /** The issued token's id (never the token): which one an operator should re-issue. */
  readonly tokenId: string;
}

/** Told by an authenticator why it refused a token; optional, so callers that do not care pass none. */
export type TokenRefused = (refusal: TokenRefusal) => void;

const refusals = new WeakMap<object, TokenRefusal>();

/** Remembers why `request` was refused, for the composition root's account of refusals. */
export function noteTokenRefusal(request: object, refusal: TokenRefusal): void {
  refusals.set(request, refusal);
}

/** A note `noteTokenRefusal` left for this request, if any. */
export function tokenRefusalOf(request: object): TokenRefusal | undefined {
  return refusals.get(request);
}

/** The `TokenRefused` callback that notes a refusal on `request`. */
export const refusalNoterFor =
  (request: object): TokenRefused =>
  (refusal) =>
    noteTokenRefusal(request, refusal);
