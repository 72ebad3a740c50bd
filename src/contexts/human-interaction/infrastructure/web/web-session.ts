import { z } from 'zod';
import { deriveKey, SignedTokens } from '../links/action-link-signer';

export const SESSION_COOKIE = 'refinery_session';

const sessionPayload = z.object({ userId: z.string().min(1), exp: z.number().int().positive() });

/**
 * A web inbox sign-in: a signed cookie holding who signed in and until when (no server-side
 * session store, so any process of the service accepts it). The key is derived for this purpose
 * only: a session cookie can never pass as an action link, nor the other way round.
 */
export class WebSessions {
  private readonly tokens: SignedTokens;

  constructor(
    secret: string,
    readonly ttlMs: number,
  ) {
    this.tokens = new SignedTokens(deriveKey(secret, 'web-session'));
  }

  issue(userId: string, now: Date): string {
    return this.tokens.sign({ userId, exp: now.getTime() + this.ttlMs });
  }

  /** The signed-in user's id, or undefined for a missing, altered or expired cookie. */
  userIdOf(cookie: string | undefined, now: Date): string | undefined {
    if (!cookie) return undefined;
    const parsed = sessionPayload.safeParse(this.tokens.open(cookie));
    if (!parsed.success || parsed.data.exp <= now.getTime()) return undefined;
    return parsed.data.userId;
  }
}
