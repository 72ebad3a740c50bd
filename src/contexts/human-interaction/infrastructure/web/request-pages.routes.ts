import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { SubmitRequest } from '../../application/submit-request/submit-request.service';
import { InvalidRequestError, NotAllowedError } from '../../domain/human-interaction.errors';
import { hasRole, type User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { submitRequestBody } from '../http/request-schemas';
import { field, type FormBody, formBody } from './form-fields';
import { parseForm } from './form-validation';
import { EMPTY_REQUEST, requestFormPage, type TypedRequest } from './views/request-form';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/** Only requesters submit; others are told so (403) before they fill a form in. */
function assertMaySubmit(user: User): void {
  if (!hasRole(user, 'requester')) throw new NotAllowedError(`${user.name} may not submit requests: that needs the requester role`);
}

function typedRequest(body: FormBody): TypedRequest {
  return {
    title: field(body, 'title') ?? '',
    description: field(body, 'description') ?? '',
    priority: field(body, 'priority') ?? EMPTY_REQUEST.priority,
    approverId: field(body, 'approverId') ?? '',
  };
}

/** The API's body from the form: an empty optional field means "the default", as if left out. */
function submission(typed: TypedRequest) {
  const approverId = typed.approverId.trim();
  return parseForm(submitRequestBody, {
    title: typed.title,
    description: typed.description,
    ...(typed.priority !== '' ? { priority: typed.priority } : {}),
    ...(approverId !== '' ? { approverId } : {}),
  });
}

/**
 * /inbox/requests: a requester submits a feature request from the browser, through the same
 * service and validation as POST /api/tasks. A refused form comes back with what was typed and
 * the field's message (400); an accepted one redirects to the new task's page (post/redirect/get).
 */
@injectable()
export class RequestPages implements WebPages {
  constructor(@inject(HUMAN_INTERACTION.SubmitRequest) private readonly submitRequest: SubmitRequest) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const guarded = { preHandler: auth.requireUser };

    app.get('/requests/new', guarded, async (request, reply) => {
      const user = auth.of(request);
      assertMaySubmit(user);
      return sendPage(reply, 200, requestFormPage({ user }));
    });

    app.post('/requests', guarded, async (request, reply) => {
      const user = auth.of(request);
      assertMaySubmit(user);
      const typed = typedRequest(formBody(request.body));
      try {
        const submitted = await this.submitRequest.execute(user, submission(typed));
        return await reply
          .code(303)
          .header('location', `/inbox/tasks/${encodeURIComponent(submitted.taskId)}?done=submitted`)
          .send();
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        return sendPage(reply, 400, requestFormPage({ user, typed, issues: error.issues }));
      }
    });
  }
}
