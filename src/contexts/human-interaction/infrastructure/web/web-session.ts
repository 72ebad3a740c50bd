import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { deriveKey } from '../links/action-link-signer';
import { SealedTokens } from '../links/sealed-tokens';

export const SESSION_COOKIE = 'refinery_session';

/** A signed-in person, and the credential that signed them in (the sha256 of their token, never the token). */
export interface WebSession {
  readonly userId: string;
  readonly credentialSha256: string;
}

/** A session as a cookie holds it: its id (what sign-out revokes) and when it ends at the latest. */
export interface OpenWebSession extends WebSession {
  readonly sessionId: string;
  readonly expiresAt: Date;
  /** When it ends if not used before: renewing moves this on, never past `expiresAt`. */
  readonly idleUntil: Date;
}

const sessionPayload = z.object({
  sid: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
  userId: z.string().min(1),
  credential: z.string().regex(/^[0-9a-f]{64}$/),
  exp: z.number().int().positive(),
  idle: z.number().int().positive(),
});

/**
 * A web inbox sign-in: a sealed cookie (AES-256-GCM: it can be neither read nor altered) holding
 * a random session id, who signed in, with which token, until when at the latest (`exp`, from
 * SESSION_TTL_MS) and until when if unused (`idle`, SESSION_IDLE_MS, moved on by `renew` at each
 * use). No server-side session store, so any process of the service accepts it; only sign-outs
 * are stored (by id, until the session would have expired: see SessionRevocations), so that a
 * copied cookie stops working everywhere. Sealed rather than only signed because it names the
 * token by its sha256: a stolen cookie must not let anyone guess a weak configured token offline.
 * Naming the token lets every request check that it still authenticates that person: revoking
 * the token ends the sessions it started. The key is derived for this purpose only: a session
 * cookie can never pass as an action link, nor the other way round. A cookie from before
 * sessions had ids does not parse, so its holder signs in again.
 */
export class WebSessions {
  private readonly tokens: SealedTokens;

  constructor(
    secret: string,
    readonly ttlMs: number,
    readonly idleMs: number = ttlMs,
  ) {
    this.tokens = new SealedTokens(deriveKey(secret, 'web-session'));
  }

  /** A new session (a new id) for this person and credential. */
  issue(session: WebSession, now: Date): string {
    const exp = now.getTime() + this.ttlMs;
    return this.seal({ ...session, sessionId: randomBytes(16).toString('base64url'), expiresAt: new Date(exp), idleUntil: new Date(now.getTime()) }, now);
  }

  /** The same session with its idle deadline moved on from now (a cookie to send back). */
  renew(session: OpenWebSession, now: Date): string {
    return this.seal(session, now);
  }

  /** The session a cookie holds, or undefined for a missing, altered, expired or idle-too-long cookie. */
  open(cookie: string | undefined, now: Date): OpenWebSession | undefined {
    if (!cookie) return undefined;
    const parsed = sessionPayload.safeParse(this.tokens.open(cookie));
    if (!parsed.success || parsed.data.exp <= now.getTime() || parsed.data.idle <= now.getTime()) return undefined;
    const { sid, userId, credential, exp, idle } = parsed.data;
    return { sessionId: sid, userId, credentialSha256: credential, expiresAt: new Date(exp), idleUntil: new Date(idle) };
  }

  private seal(session: OpenWebSession, now: Date): string {
    const exp = session.expiresAt.getTime();
    return this.tokens.seal({
      sid: session.sessionId,
      userId: session.userId,
      credential: session.credentialSha256,
      exp,
      idle: Math.min(exp, now.getTime() + this.idleMs),
    });
  }
}
