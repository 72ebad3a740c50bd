import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusalNoterFor, type TokenRefused } from '../../../../shared/auth/token-refusal';
import type { Clock } from '../../../../shared/kernel/clock';
import { sha256Hex } from '../../application/api-tokens/api-token-secret';
import type { User } from '../../domain/user';
import { type OpenWebSession, SESSION_COOKIE, type WebSessions } from './web-session';

/** Signed-out sessions, shared by every process (SessionRevocations). */
export interface RevokedSessions {
  revoke(session: Pick<OpenWebSession, 'sessionId' | 'userId' | 'expiresAt'>): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

/** Who may sign in: the API's authenticator (awaited: it may look tokens up in the database). */
export interface WebUsers {
  authenticate(token: string, refused?: TokenRefused): User | undefined | Promise<User | undefined>;
  /** Who the token with this sha256 authenticates now (undefined once it is revoked or no longer configured). */
  authenticateSha256(hex: string): User | undefined | Promise<User | undefined>;
  findById(id: string): User | undefined | Promise<User | undefined>;
}

const DEFAULT_NEXT = '/inbox';

/** Only a path of this inbox: never another site, nor a protocol-relative `//host`. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2_000 || !next.startsWith('/inbox') || /[\\\s]/.test(next)) return DEFAULT_NEXT;
  try {
    const base = 'http://refinery.invalid';
    const url = new URL(next, base);
    return url.origin === base && url.pathname.startsWith('/inbox') ? `${url.pathname}${url.search}` : DEFAULT_NEXT;
  } catch {
    return DEFAULT_NEXT;
  }
}

/** Sign-in with an API token, a signed session cookie, and the user of each request. */
export class WebAuth {
  private readonly signedIn = new WeakMap<FastifyRequest, User>();
  private readonly openSessions = new WeakMap<FastifyRequest, OpenWebSession>();

  constructor(
    private readonly users: WebUsers,
    private readonly sessions: WebSessions,
    private readonly clock: Clock,
    /** Whether the service is reached over https (then the cookie is Secure). */
    private readonly secure: () => boolean,
    private readonly revoked: RevokedSessions,
  ) {}

  /** The signed-in user, checked once per request (see `stillSignedIn`). */
  async userOf(request: FastifyRequest): Promise<User | undefined> {
    const known = this.signedIn.get(request);
    if (known) return known;
    const user = await this.stillSignedIn(request);
    if (user) this.signedIn.set(request, user);
    return user;
  }

  /**
   * Checks the session afresh: unexpired, used within SESSION_IDLE_MS, not signed out (in any
   * process), and its token still authenticates the same person (not revoked, still configured).
   * A long-lived request (an event stream) calls it again and again.
   */
  async stillSignedIn(request: FastifyRequest): Promise<User | undefined> {
    const session = this.sessions.open(request.cookies[SESSION_COOKIE], this.clock.now());
    if (!session || (await this.revoked.isRevoked(session.sessionId))) return undefined;
    const user = await this.users.authenticateSha256(session.credentialSha256);
    if (user?.id !== session.userId) return undefined;
    this.openSessions.set(request, session);
    return user;
  }

  /** The id of the request's session (after `userOf`): what live streams are counted by. */
  sessionIdOf(request: FastifyRequest): string | undefined {
    return this.openSessions.get(request)?.sessionId;
  }

  /** The user of a route behind `requireUser`. */
  of(request: FastifyRequest): User {
    const user = this.signedIn.get(request);
    if (!user) throw new Error('web route reached without a signed-in user');
    return user;
  }

  /** preHandler: a page for signed-in people sends anyone else to sign in, then back here. */
  requireUser = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (await this.userOf(request)) {
      // Used now: the idle deadline moves on (never past the session's end).
      const session = this.openSessions.get(request);
      const now = this.clock.now();
      if (session) this.setSessionCookie(reply, this.sessions.renew(session, now), session.expiresAt, now);
      return undefined;
    }
    const next = request.method === 'GET' ? safeNext(request.url) : DEFAULT_NEXT;
    return reply
      .code(303)
      .header('location', `/inbox/login?next=${encodeURIComponent(next)}`)
      .send();
  };

  /** The token's person, with a session cookie on `reply` that names the token; undefined for a token nobody has. */
  async signIn(reply: FastifyReply, token: string): Promise<User | undefined> {
    const user = await this.users.authenticate(token, refusalNoterFor(reply.request));
    if (!user) return undefined;
    const now = this.clock.now();
    const cookie = this.sessions.issue({ userId: user.id, credentialSha256: sha256Hex(token) }, now);
    this.setSessionCookie(reply, cookie, new Date(now.getTime() + this.sessions.ttlMs), now);
    return user;
  }

  /**
   * Ends the session for good: its id is stored as signed out until it would have expired, so a
   * copy of the cookie (another browser, a stolen one) is refused too; then this browser's cookie
   * is cleared.
   */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = this.sessions.open(request.cookies[SESSION_COOKIE], this.clock.now());
    if (session) await this.revoked.revoke(session);
    reply.clearCookie(SESSION_COOKIE, { path: '/inbox', httpOnly: true, sameSite: 'lax', secure: this.secure() });
  }

  /** `now`: the instant the cookie was sealed at, so its Max-Age is the session's exact remaining life. */
  private setSessionCookie(reply: FastifyReply, cookie: string, expiresAt: Date, now: Date): void {
    reply.setCookie(SESSION_COOKIE, cookie, {
      path: '/inbox',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure(),
      maxAge: Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
    });
  }
}
