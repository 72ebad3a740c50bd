import type { FastifyReply } from 'fastify';

/**
 * Every JSON 401's body: what to send. The same whether the token was missing, unknown, revoked
 * or expired, so it tells nobody whether a token exists.
 */
export const UNAUTHORIZED_BODY = Object.freeze({
  error: 'unauthorized',
  message: 'Send a valid token in the Authorization header: "Authorization: Bearer <token>".',
});

export function replyUnauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
}
