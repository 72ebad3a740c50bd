import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../../shared/kernel/clock';
import { sha256Hex } from '../../application/api-tokens/api-token-secret';
import type { User } from '../../domain/user';
import { SESSION_COOKIE, type WebSessions } from './web-session';

/** Who may sign in: the API's authenticator (awaited: it may look tokens up in the database). */
export interface WebUsers {
  authenticate(token: string): User | undefined | Promise<User | undefined>;
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

  constructor(
    private readonly users: WebUsers,
    private readonly sessions: WebSessions,
    private readonly clock: Clock,
    /** Whether the service is reached over https (then the cookie is Secure). */
    private readonly secure: () => boolean,
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
   * Checks the session afresh: unexpired, and its token still authenticates the same person (not
   * revoked, still configured). A long-lived request (an event stream) calls it again and again.
   */
  async stillSignedIn(request: FastifyRequest): Promise<User | undefined> {
    const session = this.sessions.open(request.cookies[SESSION_COOKIE], this.clock.now());
    if (!session) return undefined;
    const user = await this.users.authenticateSha256(session.credentialSha256);
    return user?.id === session.userId ? user : undefined;
  }

  /** The user of a route behind `requireUser`. */
  of(request: FastifyRequest): User {
    const user = this.signedIn.get(request);
    if (!user) throw new Error('web route reached without a signed-in user');
    return user;
  }

  /** preHandler: a page for signed-in people sends anyone else to sign in, then back here. */
  requireUser = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (await this.userOf(request)) return undefined;
    const next = request.method === 'GET' ? safeNext(request.url) : DEFAULT_NEXT;
    return reply
      .code(303)
      .header('location', `/inbox/login?next=${encodeURIComponent(next)}`)
      .send();
  };

  /** The token's person, with a session cookie on `reply` that names the token; undefined for a token nobody has. */
  async signIn(reply: FastifyReply, token: string): Promise<User | undefined> {
    const user = await this.users.authenticate(token);
    if (!user) return undefined;
    reply.setCookie(SESSION_COOKIE, this.sessions.issue({ userId: user.id, credentialSha256: sha256Hex(token) }, this.clock.now()), {
      path: '/inbox',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure(),
      maxAge: Math.floor(this.sessions.ttlMs / 1000),
    });
    return user;
  }

  signOut(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/inbox', httpOnly: true, sameSite: 'lax', secure: this.secure() });
  }
}
