import { createHash, randomBytes } from 'node:crypto';

/**
 * Issued tokens carry a prefix: a leaked one is recognisable in a log or a secret scanner, and
 * only such tokens need a database lookup when a request presents one.
 */
export const ISSUED_TOKEN_PREFIX = 'rfy_';

/** 32 random bytes, base64url: shown to the admin once, stored only as its sha256. */
export function generateApiToken(): string {
  return `${ISSUED_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isIssuedTokenShape(token: string): boolean {
  return token.startsWith(ISSUED_TOKEN_PREFIX);
}

/** sha256 as 64 lowercase hex digits: what the table and `REFINERY_USERS` (`sha256:<hex>`) hold. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
