import { z } from 'zod';
import { deriveKey } from '../links/action-link-signer';
import { SealedTokens } from '../links/sealed-tokens';

export const SESSION_COOKIE = 'refinery_session';

/** A signed-in person, and the credential that signed them in (the sha256 of their token, never the token). */
export interface WebSession {
  readonly userId: string;
  readonly credentialSha256: string;
}

const sessionPayload = z.object({
  userId: z.string().min(1),
  credential: z.string().regex(/^[0-9a-f]{64}$/),
  exp: z.number().int().positive(),
});

/**
 * A web inbox sign-in: a sealed cookie (AES-256-GCM: it can be neither read nor altered) holding
 * who signed in, with which token, and until when (no server-side session store, so any process
 * of the service accepts it). Sealed rather than only signed because it names the token by its
 * sha256: a stolen cookie must not let anyone guess a weak configured token offline. Naming the token lets
 * every request check that it still authenticates that person: revoking the token ends the
 * sessions it started. The key is derived for this purpose only: a session cookie can never pass
 * as an action link, nor the other way round. A cookie from before the credential was recorded
 * does not parse, so its holder signs in again.
 */
export class WebSessions {
  private readonly tokens: SealedTokens;

  constructor(
    secret: string,
    readonly ttlMs: number,
  ) {
    this.tokens = new SealedTokens(deriveKey(secret, 'web-session'));
  }

  issue(session: WebSession, now: Date): string {
    return this.tokens.seal({ userId: session.userId, credential: session.credentialSha256, exp: now.getTime() + this.ttlMs });
  }

  /** The session a cookie holds, or undefined for a missing, altered or expired cookie. */
  open(cookie: string | undefined, now: Date): WebSession | undefined {
    if (!cookie) return undefined;
    const parsed = sessionPayload.safeParse(this.tokens.open(cookie));
    if (!parsed.success || parsed.data.exp <= now.getTime()) return undefined;
    return { userId: parsed.data.userId, credentialSha256: parsed.data.credential };
  }
}
