import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { storedText } from '../../../../shared/kernel/text';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import { DELIVERY_CHANNELS } from '../../application/channel-preferences/channel-choice';
import { BULK_LIMIT, type DeliveryKey, type OpsConsole } from '../../application/ops/ops-console.service';
import { ActionConflictError, InvalidRequestError, NotAllowedError } from '../../domain/human-interaction.errors';
import { hasRole } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';
import {
  agentPoolAskedPage,
  auditPage,
  confirmRedrivePage,
  confirmAgentPoolPage,
  bulkDonePage,
  confirmDeadLettersPage,
  confirmDeliveriesPage,
  deadLetterPage,
  deadLettersPage,
  failedDeliveriesPage,
  overviewPage,
  searchPage,
  stalledPage,
  trailPage,
  workersPage,
} from './views/ops-pages';

const name = storedText().trim().min(1).max(500);
/** A form field sent once is a string, sent several times an array: always a list here. */
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]);
const list = z.preprocess(asList, z.array(name).max(BULK_LIMIT));

const searchQuery = z.object({ q: storedText().max(500).default('') });
const deadLetterFilter = z.object({ consumer: name.optional(), type: name.optional() });
const confirmQuery = z.object({ op: z.enum(['replay', 'purge']), consumer: name, type: name.optional(), id: name.optional() });
const deadLetterForm = z.object({ consumer: name, id: list.refine((ids) => ids.length > 0, 'choose at least one dead letter') });
const deliveryKey = storedText().regex(new RegExp(`^(?:${DELIVERY_CHANNELS.join('|')}):.+$`), 'must be <channel>:<notification id>');
const deliveryForm = z.object({
  delivery: z.preprocess(asList, z.array(deliveryKey).min(1, 'choose at least one delivery').max(BULK_LIMIT)),
});
const deadLetterParams = z.object({ consumer: name, id: name });
const taskParams = z.object({ taskId: name });
const alertParams = z.object({ alertId: name });
const agentPoolConfirm = z.object({ op: z.enum(['pause', 'resume']) });
const agentPoolForm = z.object({ reason: storedText().trim().max(500).optional() });

/** Parses input or throws the 400 that names each bad field (the web error handler renders it). */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError(parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(form)', message: i.message })));
}

const toDeliveryKey = (text: string): DeliveryKey => {
  const at = text.indexOf(':');
  return { channel: text.slice(0, at) as DeliveryKey['channel'], notificationId: text.slice(at + 1) };
};

/**
 * The /ops console under /inbox/ops (`/ops` redirects here), for admins only: what is in every
 * state, dead letters, failed deliveries, the outbox, a search by task id, correlation id,
 * requester or title, each task's trail, and the actions (replay or purge dead letters, retry
 * deliveries, pause or resume the agent pool), each confirmed on a page that counts and lists exactly what it will touch, each
 * written to the audit log. The inbox's security applies: CSP without inline script, forms only
 * from this site, every value escaped.
 */
@injectable()
export class OpsPages implements WebPages {
  constructor(
    @inject(HUMAN_INTERACTION.OpsConsole) private readonly console: OpsConsole,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const adminOnly = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      await auth.requireUser(request, reply);
      if (reply.sent) return reply;
      const user = auth.of(request);
      if (!hasRole(user, 'admin')) throw new NotAllowedError(`the operations console is for admins; ${user.id} is not one`);
      return undefined;
    };
    const options = { preHandler: adminOnly };

    app.get('/ops', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, overviewPage(user, await this.console.overview(user), this.clock.now()));
    });

    app.get('/ops/search', options, async (request, reply) => {
      const user = auth.of(request);
      const { q } = parse(searchQuery, request.query);
      return sendPage(reply, 200, searchPage(user, q, await this.console.search(user, q)));
    });

    app.get('/ops/tasks/:taskId', options, async (request, reply) => {
      const user = auth.of(request);
      const { taskId } = parse(taskParams, request.params);
      return sendPage(reply, 200, trailPage(user, await this.console.trail(user, taskId)));
    });

    app.get('/ops/dead-letters', options, async (request, reply) => {
      const user = auth.of(request);
      const filter = parse(deadLetterFilter, request.query);
      return sendPage(reply, 200, deadLettersPage(user, filter, await this.console.deadLetters(user, filter)));
    });

    app.get('/ops/dead-letters/confirm', options, async (request, reply) => {
      const user = auth.of(request);
      const { op, consumer, type, id } = parse(confirmQuery, request.query);
      const matching = (await this.console.deadLetters(user, { consumer, ...(type ? { type } : {}) })).filter((d) => id === undefined || d.id === id);
      return sendPage(reply, 200, confirmDeadLettersPage(user, op, consumer, matching.slice(0, BULK_LIMIT)));
    });

    app.get('/ops/dead-letters/:consumer/:id', options, async (request, reply) => {
      const user = auth.of(request);
      const { consumer, id } = parse(deadLetterParams, request.params);
      const found = (await this.console.deadLetters(user, { consumer })).find((d) => d.id === id);
      if (!found) {
        return sendPage(
          reply,
          404,
          bulkDonePage(user, 'No such dead letter', { done: 0, shown: 0 }, { href: '/inbox/ops/dead-letters', label: 'Back to the dead letters' }),
        );
      }
      return sendPage(reply, 200, deadLetterPage(user, found));
    });

    for (const op of ['replay', 'purge'] as const) {
      app.post(`/ops/dead-letters/${op}`, options, async (request, reply) => {
        const user = auth.of(request);
        const { consumer, id } = parse(deadLetterForm, request.body);
        const outcome = op === 'replay' ? await this.console.replayDeadLetters(user, consumer, id) : await this.console.purgeDeadLetters(user, consumer, id);
        const heading = op === 'replay' ? 'Dead letters replayed' : 'Dead letters purged';
        return sendPage(
          reply,
          200,
          bulkDonePage(user, heading, outcome, { href: `/inbox/ops/dead-letters?consumer=${encodeURIComponent(consumer)}`, label: 'Back to the dead letters' }),
        );
      });
    }

    app.get('/ops/deliveries', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, failedDeliveriesPage(user, await this.console.failedDeliveries(user)));
    });

    app.get('/ops/deliveries/confirm', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, confirmDeliveriesPage(user, await this.console.failedDeliveries(user)));
    });

    app.post('/ops/deliveries/retry', options, async (request, reply) => {
      const user = auth.of(request);
      const { delivery } = parse(deliveryForm, request.body);
      const outcome = await this.console.retryDeliveries(user, delivery.map(toDeliveryKey));
      return sendPage(reply, 200, bulkDonePage(user, 'Deliveries retried', outcome, { href: '/inbox/ops/deliveries', label: 'Back to the failed deliveries' }));
    });

    app.get('/ops/stalled', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, stalledPage(user, await this.console.stalled(user), this.clock.now()));
    });

    app.get('/ops/stalled/:alertId/redrive', options, async (request, reply) => {
      const user = auth.of(request);
      const { alertId } = parse(alertParams, request.params);
      const stalled = await this.console.stalledOne(user, alertId);
      if (!stalled) throw new ActionConflictError(`stall ${alertId} is not open any more: the task moved on, or there was none`);
      return sendPage(reply, 200, confirmRedrivePage(user, stalled, this.clock.now()));
    });

    app.post('/ops/stalled/:alertId/redrive', options, async (request, reply) => {
      const user = auth.of(request);
      const { alertId } = parse(alertParams, request.params);
      const sent = await this.console.redrive(user, alertId);
      return sendPage(
        reply,
        200,
        bulkDonePage(user, 'Re-drive sent', { done: 1, shown: 1 }, { href: `/inbox/ops/tasks/${encodeURIComponent(sent.taskId)}`, label: 'Follow the task' }),
      );
    });
    app.get('/ops/agent-pool/confirm', options, async (request, reply) => {
      const user = auth.of(request);
      const { op } = parse(agentPoolConfirm, request.query);
      return sendPage(reply, 200, confirmAgentPoolPage(user, op, await this.console.agentPool(user)));
    });

    for (const op of ['pause', 'resume'] as const) {
      app.post(`/ops/agent-pool/${op}`, options, async (request, reply) => {
        const user = auth.of(request);
        const { reason } = parse(agentPoolForm, request.body);
        return sendPage(reply, 200, agentPoolAskedPage(user, await this.console.setAgentPool(user, op === 'pause', reason)));
      });
    }

    app.get('/ops/workers', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, workersPage(user, await this.console.workers(user)));
    });

    app.get('/ops/audit', options, async (request, reply) => {
      const user = auth.of(request);
      return sendPage(reply, 200, auditPage(user, await this.console.auditLog(user)));
    });
  }
}
