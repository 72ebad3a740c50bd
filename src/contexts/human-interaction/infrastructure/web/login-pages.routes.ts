import type { FastifyInstance } from 'fastify';
import { injectable } from 'inversify';
import { field, formBody } from './form-fields';
import { loginPage } from './views/login-page';
import { safeNext, type WebAuth } from './web-auth';
import type { WebPages } from './web-pages';
import { sendPage } from './web-errors';

/** /inbox/login and /inbox/logout: sign in with an API token, then back to where the person was going. */
@injectable()
export class LoginPages implements WebPages {
  register(app: FastifyInstance, auth: WebAuth): void {
    app.get('/login', async (request, reply) => {
      const next = safeNext((request.query as { next?: string } | undefined)?.next);
      return sendPage(reply, 200, loginPage({ next }));
    });

    app.post('/login', async (request, reply) => {
      const body = formBody(request.body);
      const next = safeNext(field(body, 'next'));
      const token = (field(body, 'token') ?? '').trim();
      const user = token.length > 0 && token.length <= 1_000 ? await auth.signIn(reply, token) : undefined;
      if (!user) return sendPage(reply, 401, loginPage({ next, error: 'That token is not valid. Check it and try again.' }));
      return reply.code(303).header('location', next).send();
    });

    app.post('/logout', async (request, reply) => {
      await auth.signOut(request, reply);
      return reply.code(303).header('location', '/inbox/login').send();
    });
  }
}
