import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inject, injectable } from 'inversify';
import type { ActOnLink, LinkForm, LinkRefused } from '../../application/act-on-link/act-on-link.service';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import { InvalidRequestError } from '../../domain/human-interaction.errors';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { answerFields, field, type FormBody, formBody } from './form-fields';
import { linkAnswers, linkFeedback } from './task-forms';
import { linkDonePage, linkFormPage, linkRefusedPage, REFUSAL_STATUS } from './views/link-pages';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/**
 * What the link's form must hold depends on what the link does: answers, feedback, or nothing. A
 * link is one action: a form asking for another (`confirm` naming another action, feedback sent to
 * an approve link) is refused, naming the field, and nothing is done.
 */
const linkForm =
  (body: FormBody): LinkForm =>
  ({ claims, questions }) => {
    const confirm = field(body, 'confirm');
    if (confirm !== undefined && confirm !== claims.action) {
      throw new InvalidRequestError([{ field: 'confirm', message: `this link can only ${claims.action}, not ${confirm}` }]);
    }
    if (claims.action === 'answer') return { answers: linkAnswers(body, questions) };
    if (claims.action === 'reject') return { feedback: linkFeedback(body) };
    if (claims.action === 'approve' && field(body, 'feedback') !== undefined) {
      throw new InvalidRequestError([{ field: 'feedback', message: 'this link can only approve; to reject, use the reject link of the notification' }]);
    }
    return {};
  };

// A wildcard, not `:token`: the router refuses a parameter over 100 characters (414), and a token is longer.
const tokenOf = (request: FastifyRequest): string => (request.params as { '*'?: string })['*'] ?? '';

/**
 * The task a refused link names, to point the person at its current state. Read without checking
 * the signature (a refused link may be altered): it only builds a link to the task page, which
 * checks who may see what itself.
 */
export function taskIdClaimedBy(token: string): string | null {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const taskId = (payload as { t?: unknown } | null)?.t;
    return typeof taskId === 'string' && taskId.length > 0 && taskId.length <= 200 ? taskId : null;
  } catch {
    return null;
  }
}

/**
 * /inbox/links/<token>: the link from a notification. GET says what the link does and shows its
 * one form, for its one action (an approve link's page offers no way to reject, and the other way
 * round), and never acts: mail scanners prefetch links; POST performs it. No sign-in needed:
 * the signed link says who acts. A refused link gets a page saying why.
 *
 * Following a link marks the task's notifications to its person read: on GET only when that person
 * is the one signed in here (a mail scanner's prefetch has no session and reads nothing); using it
 * marks them in the same transaction as the action (see ActOnLink).
 */
@injectable()
export class LinkPages implements WebPages {
  constructor(
    @inject(HUMAN_INTERACTION.ActOnLink) private readonly actOnLink: ActOnLink,
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
  ) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const refusedPage = (refusal: LinkRefused, token: string) => linkRefusedPage(refusal, refusal.taskId ?? taskIdClaimedBy(token));

    app.get('/links/*', async (request, reply) => {
      const token = tokenOf(request);
      const inspected = await this.actOnLink.inspect(token);
      if (!inspected.ok) return sendPage(reply, REFUSAL_STATUS[inspected.reason], refusedPage(inspected, token));
      const { target } = inspected;
      if ((await auth.userOf(request))?.id === target.claims.userId) await this.inbox.markTaskRead(target.claims.userId, target.claims.taskId);
      return sendPage(reply, 200, linkFormPage({ token, target }));
    });

    app.post('/links/*', async (request, reply) => {
      const token = tokenOf(request);
      const body = formBody(request.body);
      const feedback = field(body, 'feedback');
      const typed = { answers: answerFields(body), ...(feedback !== undefined ? { feedback } : {}) };
      try {
        const outcome = await this.actOnLink.use(token, linkForm(body));
        if (!outcome.ok) return await sendPage(reply, REFUSAL_STATUS[outcome.reason], refusedPage(outcome, token));
        return await sendPage(reply, 200, linkDonePage(outcome.target));
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        // Show the form again with what was typed, saying what is missing.
        const inspected = await this.actOnLink.inspect(token);
        if (!inspected.ok) return sendPage(reply, REFUSAL_STATUS[inspected.reason], refusedPage(inspected, token));
        return sendPage(reply, 400, linkFormPage({ token, target: inspected.target, issues: error.issues, typed }));
      }
    });
  }
}
