import { trace } from '@opentelemetry/api';
import type { Application } from '../../../../../src/app/container';
import { WorkflowStalled } from '../../../../../src/contexts/orchestration/contracts';
import { message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../../../src/shared/messaging/envelope';
import { type RecordedSpans, recordSpans } from '../../../../support/recorded-spans';
import { Api } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { putChannels } from '../../../../support/channel-helpers';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { WebhookReceiver } from '../../../../support/webhook-receiver';
import { COMMANDS, deadLetterAnApproval, deadLetteredAgain } from '../../../../app/support/dead-letter-fixtures';
import { BrowserLike, postFormActions } from './support/browser-like';

/** The attribute values of `name` in a page, in document order (what the tests read instead of layout). */
const attributes = (body: string, name: string): string[] => [...body.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');
/** The text of the first element with this id, tags removed. */
const section = (body: string, id: string): string => {
  const start = body.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id ${id}`);
  const end = body.indexOf('</section>', start);
  return body.slice(start, end < 0 ? undefined : end);
};
const hidden = (body: string, name: string): string[] =>
  [...body.matchAll(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`, 'g'))].map((m) => m[1] ?? '');

/** The operations console over real HTTP, as an admin's browser uses it. */
describe('the /ops console', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let receiver: WebhookReceiver;
  let accepting = false;
  // A tracer for this file, as tracing.ts registers one when an OTLP endpoint is set.
  let spans: RecordedSpans;

  beforeAll(async () => {
    spans = recordSpans();
    receiver = await WebhookReceiver.start(() => (accepting ? 200 : 503));
    app = await startTestApp({
      env: {
        PORT: '0',
        WEBHOOK_SECRET: 'ops-console-test-secret-0123456789',
        ...WebhookReceiver.egressEnv(receiver),
        DELIVERY_MAX_ATTEMPTS: '1',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    api = new Api(app);
    baseUrl = await app.listen();
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
    await spans?.stop();
  });

  const admin = async () => {
    const web = new BrowserLike(baseUrl);
    await web.signIn('root');
    return web;
  };
  const submit = async (title: string, description = COMPLETE_ANSWER) =>
    (await api.post<{ taskId: string; correlationId?: string }>('alice', '/api/tasks', { title, description })).body.taskId;

  it('is for admins only: /ops leads there, a stranger is sent to sign in, a requester is refused', async () => {
    const anonymous = new BrowserLike(baseUrl);
    const short = await anonymous.get('/ops');
    expect([short.status, short.location]).toEqual([303, '/inbox/ops']);
    const page = await anonymous.get('/inbox/ops');
    expect([page.status, page.location]).toEqual([303, `/inbox/login?next=${encodeURIComponent('/inbox/ops')}`]);

    const alice = new BrowserLike(baseUrl);
    await alice.signIn('alice');
    const refused = await alice.get('/inbox/ops');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('the operations console is for admins; alice is not one');
    expect((await alice.post('/inbox/ops/dead-letters/purge', { consumer: COMMANDS, id: 'x' })).status).toBe(403);
  });

  it('counts tasks per state, and finds a task by correlation id, requester or title words, escaping what people typed', async () => {
    const web = await admin();
    const before = await web.get('/inbox/ops');
    expect(before.status).toBe(200);
    const approvedBefore = Number(/data-status="PRD_VALIDATION"><td>.*?<td class="count">(\d+)<\/td>/.exec(before.body)?.[1]);

    const hostile = `Quarterly <script>alert(1)</script> 100%_report ${Date.now()}`;
    const taskId = await submit(hostile);
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');

    const after = await web.get('/inbox/ops');
    const approvedAfter = Number(/data-status="PRD_VALIDATION"><td>.*?<td class="count">(\d+)<\/td>/.exec(after.body)?.[1]);
    expect(approvedAfter).toBe(approvedBefore + 1);

    // By words of the title: % and _ are text, not patterns; the title comes back escaped.
    const byTitle = await web.get(`/inbox/ops/search?q=${encodeURIComponent('100%_report')}`);
    expect(attributes(byTitle.body, 'data-task')).toContain(taskId);
    expect(byTitle.body).not.toContain('<script>alert(1)</script>');
    expect(byTitle.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(attributes((await web.get('/inbox/ops/search?q=0%25_x')).body, 'data-task')).not.toContain(taskId);

    const trail = await web.get(`/inbox/ops/tasks/${taskId}`);
    const [correlationId] = attributes(trail.body, 'data-correlation-id');
    expect(correlationId).toMatch(/\S/);
    const byCorrelation = await web.get(`/inbox/ops/search?q=${encodeURIComponent(correlationId ?? '')}`);
    expect(attributes(byCorrelation.body, 'data-task')).toEqual([taskId]);
    expect(attributes((await web.get('/inbox/ops/search?q=alice')).body, 'data-task')).toContain(taskId);
    expect((await web.get('/inbox/ops/search?q=no-such-thing-anywhere')).body).toContain('id="no-results"');
  });

  it('shows each registered process with its status, contexts and heartbeat, and the live count per context', async () => {
    const web = await admin();
    const page = await web.get('/inbox/ops/workers');
    expect(page.status).toBe(200);
    // This test's own process: every context, live.
    const rows = [...page.body.matchAll(/<tr data-worker="([^"]+)" data-status="([a-z]+)">(.*?)<\/tr>/g)];
    const live = rows.filter((r) => r[2] === 'live');
    expect(live).toHaveLength(1);
    for (const context of ['human-interaction', 'orchestration', 'product-definition', 'task-management']) expect(live[0]?.[3]).toContain(context);
    const overview = await web.get('/inbox/ops');
    for (const context of ['human-interaction', 'orchestration', 'product-definition', 'task-management']) {
      expect(section(overview.body, 'workers')).toContain(`data-context="${context}" data-live="1"`);
    }
    // This process's consumer queues, as its transport counts them (idle here: none waiting).
    const queues = section(overview.body, 'queues');
    for (const consumer of ['task-management.commands', 'orchestration.task-events', 'human-interaction.commands']) {
      expect(queues).toMatch(new RegExp(`data-queue="${consumer.replace(/\./g, '\\.')}" data-waiting="\\d+"`));
    }
  });

  it("shows a task's trail: its transitions, every message about it with who handled it, its PRD and the agent that wrote it", async () => {
    const taskId = await submit('Export invoices');
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const web = await admin();
    const trail = await eventually(async () => {
      const page = await web.get(`/inbox/ops/tasks/${taskId}`);
      // The PRD view arrives with its own event; wait for it rather than for time.
      if (!page.body.includes('data-prd-version="1"')) throw new Error('PRD not recorded yet');
      return page;
    });
    expect(trail.status).toBe(200);
    expect(attributes(section(trail.body, 'transitions'), 'data-version')).toEqual(['1', '2', '3']);
    const messages = section(trail.body, 'messages');
    expect(attributes(messages, 'data-type')).toEqual(
      expect.arrayContaining([
        'task-management.create-task.v1',
        'task-management.task-created.v1',
        'task-management.submit-prd.v1',
        'product-definition.prd-drafted.v1',
      ]),
    );
    // Each message names the consumers whose inbox recorded it.
    expect(attributes(messages, 'data-consumer')).toEqual(expect.arrayContaining(['task-management.commands', 'orchestration.task-events']));
    expect(section(trail.body, 'prd-versions')).toContain('rule-based');
    expect((await web.get('/inbox/ops/tasks/no-such-task')).status).toBe(404);
  });

  it('names the trace the messages of a traced request were written in', async () => {
    // A client that sends its trace context: the submission, and every message it leads to, is in its trace.
    const { taskId, traceId } = await trace.getTracer('ops-console-test').startActiveSpan('client submits', async (span) => {
      const id = await submit('Traced request');
      span.end();
      return { taskId: id, traceId: span.spanContext().traceId };
    });
    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const web = await admin();
    const trail = await web.get(`/inbox/ops/tasks/${taskId}`);
    // A repair sweep that re-sends a step under load writes its messages in a trace of its own, so
    // the request's trace is among the trail's, not necessarily alone.
    expect(attributes(trail.body, 'data-trace-ids').flatMap((ids) => ids.split(' '))).toContain(traceId);
    expect(section(trail.body, 'messages')).toContain(`trace ${traceId}`);
  });

  it('lists a stalled task with for how long and what the scanner tried, and re-drives it once after confirming', async () => {
    const taskId = await submit('Stuck request', 'Make the dashboard better.');
    const asked = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    const since = new Date(Date.now() - 2 * 3_600_000);
    // What the scanner publishes when a task stays in a state past its threshold.
    await app.queue.publishEvent(
      createEnvelope(
        message(WorkflowStalled, taskId, {
          taskId,
          status: 'CLARIFICATION_NEEDED',
          taskVersion: asked.taskVersion,
          inStatusSince: since.toISOString(),
          thresholdMs: 3_600_000,
          detectedAt: new Date().toISOString(),
          redriven: ['human-interaction.send-notification.v1'],
        }),
      ),
    );
    const web = await admin();
    const list = await eventually(async () => {
      const page = await web.get('/inbox/ops/stalled');
      if (!page.body.includes(`data-stalled-task="${taskId}"`)) throw new Error('stall not recorded yet');
      return page;
    });
    const row = new RegExp(`<tr data-stalled-task="${taskId}" data-alert="([^"]+)">(.*?)</tr>`).exec(list.body);
    const alertId = row?.[1] ?? '';
    expect(row?.[2]).toContain('CLARIFICATION_NEEDED');
    expect(row?.[2]).toMatch(/2 h/);
    expect(row?.[2]).toContain('human-interaction.send-notification.v1');
    expect(attributes((await web.get('/inbox/ops')).body, 'data-stalled').map(Number)[0]).toBeGreaterThanOrEqual(1);

    const confirm = await web.get(`/inbox/ops/stalled/${alertId}/redrive`);
    expect(confirm.status).toBe(200);
    expect(postFormActions(confirm.body)).toContain(`/inbox/ops/stalled/${alertId}/redrive`);
    const sent = await web.post(`/inbox/ops/stalled/${alertId}/redrive`);
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('Re-drive sent');
    // Once per stall: the list says who asked, and a second post is refused.
    expect((await web.get('/inbox/ops/stalled')).body).toMatch(new RegExp(`data-stalled-task="${taskId}"[^]*?asked by root`));
    const again = await web.post(`/inbox/ops/stalled/${alertId}/redrive`);
    expect(again.status).toBe(409);
    expect(again.body).toContain('a re-drive of this stall was asked already by root');
    const audit = await web.get('/inbox/ops/audit');
    expect(audit.body).toMatch(/<tr data-action="task.redrive" data-outcome="ok">.*?re-drive sent for task version/);
    expect(audit.body).toMatch(/<tr data-action="task.redrive" data-outcome="failed">.*?asked already/);
    // The trail of the task lists both.
    expect(section((await web.get(`/inbox/ops/tasks/${taskId}`)).body, 'trail-actions')).toContain('task.redrive');
  });

  it('replays exactly the dead letters it counted and listed, and writes what it did to the audit log', async () => {
    await app.queue.purgeDeadLetters(COMMANDS);
    const first = await deadLetterAnApproval(app);
    const second = await deadLetterAnApproval(app);
    const web = await admin();

    const overview = await web.get('/inbox/ops');
    expect(section(overview.body, 'dead-letters')).toContain(`data-consumer="${COMMANDS}"`);

    const confirm = await web.get(`/inbox/ops/dead-letters/confirm?op=replay&consumer=${COMMANDS}`);
    expect(confirm.status).toBe(200);
    expect(attributes(confirm.body, 'data-count')).toEqual(['2']);
    expect(confirm.body).toContain('Replay 2 dead letters');
    const shownIds = hidden(confirm.body, 'id');
    expect(shownIds.sort()).toEqual([first.id, second.id].sort());
    expect(postFormActions(confirm.body)).toContain('/inbox/ops/dead-letters/replay');

    // One more arrives after the page was shown: the confirmed action does not touch it.
    const late = await deadLetterAnApproval(app);
    const done = await web.post('/inbox/ops/dead-letters/replay', { consumer: COMMANDS, id: shownIds });
    expect(done.status).toBe(200);
    expect([attributes(done.body, 'data-done'), attributes(done.body, 'data-shown')]).toEqual([['2'], ['2']]);
    // The replayed approvals fail again (their tasks do not exist), each under a new id.
    await deadLetteredAgain(app, first);
    await deadLetteredAgain(app, second);
    const left = await app.queue.listDeadLetters(COMMANDS);
    // The late one is untouched.
    expect(left.map((d) => d.id)).toContain(late.id);
    expect(left.map((d) => d.id)).not.toContain(first.id);

    const audit = await web.get('/inbox/ops/audit');
    const row = /<tr data-action="dead-letters.replay" data-outcome="ok">.*?<\/tr>/.exec(audit.body)?.[0] ?? '';
    expect(row).toContain('root');
    expect(row).toContain(`${COMMANDS}: `);
    expect(row).toContain('replayed 2 of 2 shown');
  });

  it('purges one dead letter from its own page, refuses a form without one naming the field, and a cross-site post', async () => {
    await app.queue.purgeDeadLetters(COMMANDS);
    const dead = await deadLetterAnApproval(app);
    const web = await admin();
    const shown = await web.get(`/inbox/ops/dead-letters/${COMMANDS}/${dead.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('TaskNotFound');
    const confirm = await web.get(`/inbox/ops/dead-letters/confirm?op=purge&consumer=${COMMANDS}&id=${dead.id}`);
    expect(hidden(confirm.body, 'id')).toEqual([dead.id]);

    const empty = await web.post('/inbox/ops/dead-letters/purge', { consumer: COMMANDS });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('id: choose at least one dead letter');
    const crossSite = await web.post('/inbox/ops/dead-letters/purge', { consumer: COMMANDS, id: dead.id }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect((await app.queue.listDeadLetters(COMMANDS)).map((d) => d.id)).toEqual([dead.id]);

    const purged = await web.post('/inbox/ops/dead-letters/purge', { consumer: COMMANDS, id: dead.id });
    expect(attributes(purged.body, 'data-done')).toEqual(['1']);
    expect(await app.queue.listDeadLetters(COMMANDS)).toEqual([]);
    // Purging it again finds nothing, and the audit log says so.
    const again = await web.post('/inbox/ops/dead-letters/purge', { consumer: COMMANDS, id: dead.id });
    expect(again.body).toContain('0 of the 1 shown (1 were already gone)');
    expect((await web.get('/inbox/ops/audit')).body).toContain('purged 0 of 1 shown');
  });

  it("retries the failed deliveries it listed, and shows each on the task's trail", async () => {
    expect((await putChannels(app, 'bob', { webhookUrl: `${receiver.url}/hook` })).status).toBe(200);
    const taskId = await submit('Delivery retry');
    const notificationId = (await notificationFor(api, 'bob', taskId, 'prd-ready-for-review')).id;
    const web = await admin();
    const key = `webhook:${notificationId}`;
    await eventually(async () => {
      const page = await web.get('/inbox/ops/deliveries');
      if (!attributes(page.body, 'data-delivery').includes(key)) throw new Error('not failed yet');
    });
    const trail = await web.get(`/inbox/ops/tasks/${taskId}`);
    expect(section(trail.body, 'trail-deliveries')).toContain(`data-delivery="${key}" data-status="failed"`);

    const confirm = await web.get('/inbox/ops/deliveries/confirm');
    const keys = hidden(confirm.body, 'delivery');
    expect(keys).toContain(key);
    expect(attributes(confirm.body, 'data-count')).toEqual([String(keys.length)]);
    accepting = true;
    const done = await web.post('/inbox/ops/deliveries/retry', { delivery: keys });
    expect(attributes(done.body, 'data-done')).toEqual([String(keys.length)]);
    await eventually(async () => {
      if (!receiver.received.some((r) => r.headers['x-refinery-delivery'] === `${notificationId}:webhook`)) throw new Error('not delivered yet');
    });
    expect((await web.get('/inbox/ops/audit')).body).toContain(`retried ${keys.length} of ${keys.length} shown`);
    expect((await web.post('/inbox/ops/deliveries/retry', { delivery: 'carrier-pigeon:n1' })).body).toContain(
      'must be &lt;channel&gt;:&lt;notification id&gt;',
    );
  });
});
