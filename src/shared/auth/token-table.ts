import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}

/** A configured credential: the token itself, or only its sha256 (64 hex digits). */
export interface TokenCredential {
  readonly token?: string | undefined;
  readonly tokenSha256?: string | undefined;
}

/**
 * Configured tokens, kept only as sha256s. A presented hash is compared with every entry in
 * constant time, so neither the comparison nor the position of the match shows through timing.
 */
export class TokenTable<Owner> {
  private readonly entries: ReadonlyArray<{ readonly owner: Owner; readonly hash: Buffer }>;

  constructor(entries: ReadonlyArray<{ readonly owner: Owner; readonly credential: TokenCredential }>) {
    this.entries = entries.map(({ owner, credential }) => ({
      owner,
      hash: credential.token !== undefined ? sha256(credential.token) : Buffer.from(credential.tokenSha256 ?? '', 'hex'),
    }));
  }

  ownerOfToken(token: string): Owner | undefined {
    return this.ownerOfHash(sha256(token));
  }

  ownerOfHash(presented: Buffer): Owner | undefined {
    let found: Owner | undefined;
    for (const entry of this.entries) {
      if (entry.hash.length === presented.length && timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.owner;
    }
    return found;
  }
}
