import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusalNoterFor, type TokenRefused } from '../../../../shared/auth/token-refusal';
import { bearerTokenOf } from '../../../../shared/auth/token-table';
import type { User } from '../../domain/user';
import { replyUnauthorized } from '../../../../shared/http/unauthorized';

/** Configured tokens, then issued ones (a database lookup): hence a promise. */
export interface Authenticator {
  /** `refused` hears why a token was refused when it is more than unknown (an expired one). */
  authenticate(token: string, refused?: TokenRefused): Promise<User | undefined>;
}

/**
 * Who is calling, per request. A WeakMap rather than a request decorator, so these routes never
 * clash with decorators the composition root's fastify instance may have.
 */
export class RequestUsers {
  private readonly users = new WeakMap<FastifyRequest, User>();

  hook(authenticator: Authenticator) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      const token = bearerTokenOf(request.headers.authorization);
      const user = token === undefined ? undefined : await authenticator.authenticate(token, refusalNoterFor(request));
      if (!user) return replyUnauthorized(reply);
      this.users.set(request, user);
      return undefined;
    };
  }

  of(request: FastifyRequest): User {
    const user = this.users.get(request);
    if (!user) throw new Error('route reached without an authenticated user');
    return user;
  }
}
