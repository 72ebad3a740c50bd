import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { storedText } from '../../../../shared/kernel/text';
import { type ApiToken, type ApiTokens, type IssuedApiToken, MAX_EXPIRY_DAYS } from '../../application/api-tokens/api-tokens.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';

export const issueTokenBody = z.strictObject({
  userId: storedText().min(1).max(200),
  label: storedText().trim().min(1).max(200),
  /** Days until the token stops working; absent: API_TOKEN_DEFAULT_EXPIRY_DAYS, or never. */
  expiresInDays: z.number().int().positive().max(MAX_EXPIRY_DAYS).optional(),
});
export const tokenParams = z.object({ tokenId: storedText().min(1).max(200) });

/** Never the hash, and the token itself only in the answer that issues it. */
function present(token: ApiToken) {
  return {
    id: token.id,
    userId: token.userId,
    label: token.label,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

const presentIssued = (issued: IssuedApiToken) => ({ ...present(issued), token: issued.token });

/** Admin: API tokens for configured people (`/api/admin/tokens`). The service refuses non-admins (403). */
@injectable()
export class TokenRoutes implements ApiRoutes {
  constructor(@inject(HUMAN_INTERACTION.ApiTokens) private readonly tokens: ApiTokens) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    const { tokens } = this;

    app.post('/admin/tokens', async (request, reply) => {
      const body = parseInput(issueTokenBody, request.body);
      const issued = await tokens.issue(users.of(request), body);
      // The one answer that holds the token: no proxy or browser may keep a copy.
      return reply.code(201).header('cache-control', 'no-store').send(presentIssued(issued));
    });

    app.get('/admin/tokens', async (request) => ({ tokens: (await tokens.list(users.of(request))).map(present) }));

    app.delete('/admin/tokens/:tokenId', async (request, reply) => {
      const { tokenId } = parseInput(tokenParams, request.params, 'tokenId');
      const revoked = await tokens.revoke(users.of(request), tokenId);
      if (!revoked) return reply.code(404).send({ error: 'not_found', message: `API token ${tokenId} not found` });
      return { token: present(revoked) };
    });
  }
}
