import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { OtlpReceiver, type ReceivedSpan } from '../../bench/workflow/otlp-receiver';
import { configSchema } from '../../src/app/config';
import { deleteBrokerObjects } from '../../bench/workflow/broker-cleanup';
import { RABBITMQ_URL } from '../support/broker-admin';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { COMPLETE_ANSWER } from '../support/refinement-scenario';
import { recordSpans } from '../support/recorded-spans';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * One request across three OS processes, each the real entry point (src/app/main.ts, compiled on
 * load by swc as jest compiles it) with its CONTEXTS, on the real RabbitMQ and PostgreSQL, each
 * exporting its spans over OTLP/HTTP to a receiver in this test. The test is the person's client
 * and traces itself like one: its span covers submitting and approving, and it sends `traceparent`
 * with both requests, as a traced client (a browser with tracing, a CLI, another service) does.
 */
const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'test', 'faults', 'support', 'swc-register.js');
const MAIN = join(ROOT, 'src', 'app', 'main.ts');
const LAYOUT = [
  { name: 'api', contexts: 'human-interaction' },
  { name: 'workflow', contexts: 'task-management,orchestration' },
  { name: 'agent', contexts: 'product-definition' },
] as const;
const TOKENS = { alice: `alice-${randomBytes(16).toString('hex')}`, bob: `bob-${randomBytes(16).toString('hex')}` };

interface ServiceProcess {
  readonly name: string;
  readonly contexts: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  output: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The parent's environment without any service or OpenTelemetry setting, so none leaks into a child. */
function cleanEnvironment(): Record<string, string> {
  const serviceKeys = new Set(Object.keys(configSchema.shape));
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !serviceKeys.has(entry[0]) && !entry[0].startsWith('OTEL_'),
    ),
  );
}

async function spawnService(name: string, contexts: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
    cwd: ROOT,
    env: { ...env, CONTEXTS: contexts, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: ServiceProcess = { name, contexts, url: `http://127.0.0.1:${port}`, child, exited: once(child, 'exit'), output: '' };
  const keep = (chunk: Buffer) => (service.output = (service.output + chunk.toString('utf8')).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return service;
}

// The body's type is the caller's claim about the API, as in test/support/api.ts.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function notified(apiUrl: string, token: string, taskId: string, kind: string): Promise<Notification> {
  return eventually(
    async () => {
      const { body } = await call<{ notifications: Notification[] }>(`${apiUrl}/api/notifications`, { token });
      const found = body.notifications.find((n) => n.taskId === taskId && n.kind === kind);
      if (!found) throw new Error(`no ${kind} notification for ${taskId} yet`);
      return found;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

/** Alice submits a complete request, bob approves the PRD he is notified about; resolves once it is APPROVED. */
async function submitAndApprove(apiUrl: string, headers: Record<string, string>, title: string): Promise<string> {
  const submitted = await call<{ taskId: string }>(`${apiUrl}/api/tasks`, {
    method: 'POST',
    token: TOKENS.alice,
    headers,
    body: { title, description: COMPLETE_ANSWER },
  });
  expect(submitted.status).toBe(202);
  const { taskId } = submitted.body;
  const review = await notified(apiUrl, TOKENS.bob, taskId, 'prd-ready-for-review');
  const approved = await call(`${apiUrl}/api/tasks/${taskId}/approve`, { method: 'POST', token: TOKENS.bob, headers, body: { prdVersion: review.prdVersion } });
  expect(approved.status).toBe(202);
  await notified(apiUrl, TOKENS.alice, taskId, 'task-approved');
  const task = await call<{ task: { status: string } }>(`${apiUrl}/api/tasks/${taskId}`, { token: TOKENS.alice });
  expect(task.body.task.status).toBe('APPROVED');
  return taskId;
}

interface Notification {
  readonly taskId: string;
  readonly kind: string;
  readonly prdVersion?: number | null;
}

describe('one request, three processes, one trace', () => {
  let scratch: ScratchDatabase;
  let receiver: OtlpReceiver;
  let webhooks: WebhookReceiver;
  let services: ServiceProcess[] = [];
  const prefix = `refinery-trace-${randomBytes(4).toString('hex')}`;
  const client = recordSpans();

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    // Migrated once here: three processes migrating the same empty database would only wait on each other.
    await (await openTestDatabase([], scratch.url)).close();
    receiver = await OtlpReceiver.start();
    webhooks = await WebhookReceiver.start(() => 200);
    const env = {
      ...cleanEnvironment(),
      DATABASE_URL: scratch.url,
      RABBITMQ_URL,
      RABBITMQ_PREFIX: prefix,
      RABBITMQ_QUEUE_TYPE: 'classic',
      LINK_SECRET: randomBytes(24).toString('hex'),
      WEBHOOK_SECRET: randomBytes(12).toString('hex'),
      ...WebhookReceiver.egressEnv(webhooks),
      REFINERY_USERS: `alice:requester:${TOKENS.alice},bob:approver:${TOKENS.bob}`,
      LOG_LEVEL: 'warn',
      POLL_INTERVAL_MS: '50',
      OUTBOX_POLL_INTERVAL_MS: '50',
      DELIVERY_POLL_INTERVAL_MS: '100',
      // Sweeps pushed out of the test's reach: the trace must be what the happy path sends.
      SCAN_INTERVAL_MS: '600000',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    services = await Promise.all(LAYOUT.map(({ name, contexts }) => spawnService(name, contexts, env)));
    await Promise.all(
      services.map((service) =>
        eventually(
          async () => {
            if (service.child.exitCode !== null) throw new Error(`${service.name} exited:\n${service.output}`);
            if ((await call(`${service.url}/ready`)).status !== 200) throw new Error(`${service.name} not ready:\n${service.output}`);
          },
          { timeoutMs: 40_000, intervalMs: 100 },
        ),
      ),
    );
  });

  afterAll(async () => {
    for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await receiver?.close();
    await webhooks?.close();
    // The processes declared their own topology: every queue and exchange of this run's prefix.
    const consumers = [
      ...new Set(receiver?.spans().flatMap((s) => (s.name.startsWith('process ') ? [String(s.attributes['messaging.consumer.group.name'])] : [])) ?? []),
    ];
    const known = consumers.flatMap((c) => [`${prefix}.${c}`, `${prefix}.${c}.retry`, `${prefix}.${c}.dlq`]);
    await deleteBrokerObjects(RABBITMQ_URL, prefix, {
      queues: [...known, `${prefix}.events.delayed`, `${prefix}.commands.delayed`],
      exchanges: [`${prefix}.events`, `${prefix}.commands`, `${prefix}.events.delay`, `${prefix}.commands.delay`],
    });
    await scratch?.drop();
    await client.stop();
  });

  it('submitted and approved: every span about the task in one trace, from every process, parents intact across the outbox and the broker', async () => {
    const api = services.find((s) => s.name === 'api');
    if (!api) throw new Error('no api process');
    // Notifications go out by webhook too: the deliveries (and their outgoing HTTP calls) are part of the trace.
    for (const token of [TOKENS.alice, TOKENS.bob]) {
      expect((await call(`${api.url}/api/me/channels`, { method: 'PUT', token, body: { webhookUrl: webhooks.url } })).status).toBe(200);
    }

    const journey = trace.getTracer('test-client').startSpan('client: submit a request and approve its PRD', { kind: SpanKind.CLIENT });
    const traced: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), journey), traced);
    const { traceId, spanId: journeySpanId } = journey.spanContext();

    // The traced client's request, and the same done by a client that sends no trace context.
    const [taskId, untracedTaskId] = await Promise.all([submitAndApprove(api.url, traced, 'Backlog trends'), submitAndApprove(api.url, {}, 'Export reports')]);
    // The four webhooks (bob's reviews, alice's approvals) were delivered before the processes stop.
    await eventually(() => expect(webhooks.received.length).toBeGreaterThanOrEqual(4), { timeoutMs: 10_000, intervalMs: 50 });
    journey.end();

    // SIGTERM: each process drains, exports what its batch processor still holds, and exits 0.
    for (const service of services) service.child.kill('SIGTERM');
    const exits = await Promise.all(services.map((service) => service.exited));
    expect(exits.map((exit) => (exit as [number | null])[0])).toEqual([0, 0, 0]);
    expect(receiver.stats().rejected).toBe(0);

    const all = receiver.spans();
    const aboutTask = all.filter((s) => s.attributes['messaging.message.conversation_id'] === taskId || s.attributes['refinery.task_id'] === taskId);
    // Exactly one trace: every span that names the task, whichever process wrote it.
    expect(new Set(aboutTask.map((s) => s.traceId))).toEqual(new Set([traceId]));

    const inTrace: ReceivedSpan[] = all.filter((s) => s.traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    // The trace as an indented tree, for a person to read (test-artifacts/ is not committed).
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    const tree: string[] = [];
    const walk = (parent: string, depth: number) => {
      for (const s of inTrace.filter((c) => (c.parentSpanId ?? journeySpanId) === parent)) {
        tree.push(`${'  '.repeat(depth)}${s.name}  [${String(s.resource['refinery.contexts'])}]`);
        walk(s.spanId, depth + 1);
      }
    };
    walk(journeySpanId, 0);
    writeFileSync(join(ROOT, 'test-artifacts', 'trace-across-processes.txt'), `trace ${traceId}, ${inTrace.length} spans\n${tree.join('\n')}\n`);
    // Every parent is in the trace; the only span whose parent is not is a child of the client's span.
    const orphans = inTrace.filter((s) => s.parentSpanId === undefined || !byId.has(s.parentSpanId));
    expect(orphans.map((s) => [s.name, s.parentSpanId])).toEqual(orphans.map((s) => [s.name, journeySpanId]));
    expect(orphans.map((s) => s.name).sort()).toEqual(['POST /api/tasks', 'POST /api/tasks/:taskId/approve'].sort());
    for (const root of orphans) expect(root.kind).toBe(2); // SERVER: the HTTP instrumentation continued the client's trace

    // Spans from every process, each telling which contexts it runs.
    const processes = new Map(inTrace.map((s) => [String(s.resource['service.instance.id']), String(s.resource['refinery.contexts'])]));
    expect([...processes.values()].sort()).toEqual(LAYOUT.map((l) => l.contexts).sort());
    for (const span of inTrace) expect(span.resource['service.name']).toBe('refinery');

    // Across the broker: each `process X` is the child of the `send X` of the same message;
    // across the outbox: each `send X` is the child of the transaction that wrote its row.
    const processed = inTrace.filter((s) => s.name.startsWith('process '));
    const sent = inTrace.filter((s) => s.name.startsWith('send '));
    expect(processed.length).toBeGreaterThanOrEqual(8);
    for (const span of processed) {
      const parent = byId.get(span.parentSpanId ?? '');
      expect([parent?.name, parent?.kind, parent?.attributes['messaging.message.id']]).toEqual([
        `send ${span.name.slice('process '.length)}`,
        4, // PRODUCER
        span.attributes['messaging.message.id'],
      ]);
      expect(span.kind).toBe(5); // CONSUMER
      expect(span.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation': 'process', 'messaging.message.conversation_id': taskId });
    }
    for (const span of sent) {
      expect(byId.get(span.parentSpanId ?? '')?.name).toBe('transaction');
      expect(span.kind).toBe(4); // PRODUCER
      expect(span.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation': 'publish', 'messaging.message.conversation_id': taskId });
      expect([`${prefix}.events`, `${prefix}.commands`]).toContain(span.attributes['messaging.destination.name']);
    }
    const crossProcess = processed.filter((p) => byId.get(p.parentSpanId ?? '')?.resource['service.instance.id'] !== p.resource['service.instance.id']);
    expect(crossProcess.length).toBeGreaterThan(0);

    // The other steps of the request: its database transactions and statements, the agent's call,
    // the webhook delivery and its outgoing HTTP request.
    expect(inTrace.some((s) => s.name === 'transaction' && s.resource['refinery.contexts'] === 'task-management,orchestration')).toBe(true);
    expect(inTrace.some((s) => s.attributes['db.system.name'] === 'postgresql' && s.kind === 3)).toBe(true); // pg: CLIENT spans
    // A transaction's bookkeeping is no span of its own: no BEGIN/COMMIT, inbox or outbox statement;
    // the transaction says how many messages it wrote, as many as its `send` children.
    const statements = inTrace.filter((s) => s.kind === 3 && s.attributes['db.system.name'] === 'postgresql').map((s) => String(s.attributes['db.query.text']));
    expect(statements.length).toBeGreaterThan(0);
    expect(statements).not.toContain('undefined');
    expect(statements.filter((q) => /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)|messaging\.(inbox|outbox)/.test(q))).toEqual([]);
    for (const transaction of inTrace.filter((s) => s.name === 'transaction' && sent.some((x) => x.parentSpanId === s.spanId)))
      expect(transaction.attributes['refinery.outbox.messages']).toBe(sent.filter((x) => x.parentSpanId === transaction.spanId).length);
    expect(inTrace.filter((s) => s.name === 'agent assess')).toHaveLength(1);
    const deliveries = inTrace.filter((s) => s.name === 'deliver notification webhook');
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    for (const delivery of deliveries)
      expect(inTrace.some((s) => s.parentSpanId === delivery.spanId && s.kind === 3 && s.attributes['http.request.method'] === 'POST')).toBe(true);

    // A client that sends no trace context: the service starts one trace per request, each rooted
    // at its HTTP server span and whole (submission to the approver's notification; approval to
    // the requester's), both carrying the task id.
    const untraced = all.filter(
      (s) => s.attributes['messaging.message.conversation_id'] === untracedTaskId || s.attributes['refinery.task_id'] === untracedTaskId,
    );
    const untracedTraces = [...new Set(untraced.map((s) => s.traceId))];
    expect(untracedTraces).toHaveLength(2);
    const rootsOf = untracedTraces.map((id) => {
      const spans = all.filter((s) => s.traceId === id);
      const ids = new Set(spans.map((s) => s.spanId));
      return { spans, roots: spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)) };
    });
    expect(rootsOf.map(({ roots }) => roots.map((r) => [r.name, r.kind, r.parentSpanId])).sort()).toEqual([
      [['POST /api/tasks', 2, undefined]],
      [['POST /api/tasks/:taskId/approve', 2, undefined]],
    ]);
    const submission = rootsOf.find(({ roots }) => roots[0]?.name === 'POST /api/tasks');
    expect(new Set(submission?.spans.map((s) => String(s.resource['refinery.contexts'])))).toEqual(new Set(LAYOUT.map((l) => l.contexts)));
  });
});
