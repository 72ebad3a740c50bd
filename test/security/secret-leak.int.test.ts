import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { deleteBrokerObjects } from '../../bench/workflow/broker-cleanup';
import { RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { FakeLlmServer, openAiError } from '../support/fake-llm-server';
import { ANSWER, FEEDBACK, REQUEST, VERSION_1, VERSION_2 } from '../support/invoice-export-script';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Issue #12's "no secret in any log": the real entry point (src/app/main.ts, compiled on load by
 * swc as jest compiles it) in a child OS process at LOG_LEVEL=debug, on the real PostgreSQL and
 * RabbitMQ, with every secret it can be given set to a value no log line could hold by chance.
 * Every byte it writes to stdout and stderr, from its first line to its exit, is kept. A whole
 * workflow runs over HTTP with the LLM agent (a fake OpenAI-compatible endpoint whose first answer
 * is a 500 repeating the key), email (a real SMTP server that requires the configured password)
 * and webhook channels (one receiver answers 500 until a delivery fails for good and is then
 * healthy, the other address refuses connections), a web sign-in, a wrong token, a PostgreSQL
 * error inside a request (a row a CHECK constraint refuses, whose detail names the values). Then
 * no line may hold any of those secrets, as written or URL-encoded.
 */
const ROOT = join(__dirname, '..', '..');
const RABBITMQ_PREFIX = `refinery-test-${randomBytes(4).toString('hex')}`;
const REGISTER = join(ROOT, 'test', 'faults', 'support', 'swc-register.js');
const MAIN = join(ROOT, 'src', 'app', 'main.ts');

/** Distinct and recognisable: each names what it is, so a leak says at once which one leaked. */
const unique = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const TOKENS = {
  alice: unique('alice-api-token-secret'),
  bob: unique('bob-api-token-secret'),
  carol: unique('carol-api-token-secret'),
  root: unique('root-api-token-secret'),
};
const WRONG_TOKEN = unique('wrong-token-tried-by-an-attacker');
const LINK_SECRET = unique('link-and-session-signing-secret');
const WEBHOOK_SECRET = unique('webhook-signing-secret');
const SMTP_USER = 'refinery-mailer';
const SMTP_PASSWORD = unique('smtp-password');
const DATABASE_PASSWORD = unique('database-password');
/** Not `sk-…`: the generic key pattern must not be what hides it. */
const LLM_API_KEY = unique('llm-api-key-secret');
const DB_ERROR_MARKER = unique('db-error-marker');

interface Person {
  readonly id: keyof typeof TOKENS;
  readonly email: string;
  readonly webhookPath: string;
  readonly webhookQuery: string;
}

const person = (id: keyof typeof TOKENS): Person => ({
  id,
  email: `${id}.private-${randomBytes(4).toString('hex')}@example.test`,
  webhookPath: `/hooks/${unique(`${id}-webhook-path-secret`)}/T0`,
  webhookQuery: `token=${unique(`${id}-webhook-query-secret`)}`,
});
const ALICE = person('alice');
const BOB = person('bob');
/** Carol's channels are the ones PostgreSQL refuses (her webhook path holds the marker the constraint rejects). */
const CAROL: Person = { ...person('carol'), webhookPath: `/hooks/${DB_ERROR_MARKER}/${unique('carol-webhook-path-secret')}` };

const webhookUrl = (port: number, who: Person) => `http://127.0.0.1:${port}${who.webhookPath}?${who.webhookQuery}`;

// The fake model's answers; its script (test/support/invoice-export-script.ts) is shared with the LLM workflow test.
const reply = (content: unknown) => ({ kind: 'reply' as const, content, promptTokens: 100, completionTokens: 50 });

interface Mail {
  readonly to: readonly string[];
  readonly user: unknown;
  readonly mail: ParsedMail;
}

/** An SMTP server on 127.0.0.1 that takes mail only after AUTH with the configured user and password. */
async function startAuthenticatingSmtp(): Promise<{ port: number; received: Mail[]; close: () => Promise<void> }> {
  const received: Mail[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), user: session.user, mail });
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The child service: everything it writes, stdout and stderr apart, from its first byte. */
class CapturedService {
  stdout = '';
  stderr = '';
  readonly exited: Promise<unknown>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = once(child, 'exit');
  }

  /** Every line it wrote, both streams. */
  lines(): string[] {
    return `${this.stdout}\n${this.stderr}`.split('\n').filter((line) => line.trim() !== '');
  }

  /** Its JSON log lines (those written whole so far), parsed. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .slice(0, this.stdout.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

// The body's type is the caller's claim about the API, as in test/support/api.ts.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

interface Notification {
  id: string;
  taskId: string;
  kind: string;
  taskVersion: number;
  questions?: string[] | null;
  prdVersion?: number | null;
}

describe('no secret in any log line of a whole workflow at LOG_LEVEL=debug (main.ts in its own process, PostgreSQL, RabbitMQ, LLM, SMTP, webhooks)', () => {
  let scratch: ScratchDatabase;
  let smtp: Awaited<ReturnType<typeof startAuthenticatingSmtp>>;
  let flaky: WebhookReceiver;
  let closedPort: number;
  let llm: FakeLlmServer;
  let service: CapturedService | undefined;
  let base: string;
  let databaseUrl: string;
  let smtpUrl: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    smtp = await startAuthenticatingSmtp();
    // Alice's receiver answers 500 to its first three requests: her first webhook delivery is
    // retried twice and fails for good (DELIVERY_MAX_ATTEMPTS=3); her next one arrives.
    // Bob's webhook goes to a port nothing listens on: connection refused, every time.
    flaky = await WebhookReceiver.start((n) => (n < 3 ? 500 : 200));
    closedPort = await freePort();
    // The model's endpoint fails once with a body that repeats the key (as some providers' errors do).
    llm = await FakeLlmServer.start();
    llm.script(
      { kind: 'status', status: 500, body: openAiError(`internal error while serving the request of key ${LLM_API_KEY}`, 'server_error') },
      reply({
        decision: 'questions',
        questions: [{ field: 'audience', question: 'Who runs the monthly export, and how many invoices does it hold?', why: 'The stories depend on it.' }],
        prd: null,
        reason: null,
      }),
      reply({ decision: 'prd', questions: null, prd: VERSION_1, reason: null }),
      reply({ decision: 'prd', questions: null, prd: VERSION_2, reason: null }),
    );
    // The server trusts local connections: the password is sent to no one, but the URL holds it.
    const url = new URL(scratch.url);
    url.password = DATABASE_PASSWORD;
    databaseUrl = url.toString();
    smtpUrl = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}?ignoreTLS=true`;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Nothing of the test's environment but PATH: the child sees only what is listed here.
      env: {
        PATH: process.env['PATH'] ?? '',
        LOG_LEVEL: 'debug',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        RABBITMQ_URL,
        RABBITMQ_PREFIX,
        RABBITMQ_QUEUE_TYPE: 'classic',
        LINK_SECRET,
        REFINERY_USERS: `alice:requester:${TOKENS.alice},bob:approver:${TOKENS.bob},carol:requester:${TOKENS.carol},root:admin:${TOKENS.root}`,
        SMTP_URL: smtpUrl,
        SMTP_FROM: 'Refinery <refinery@example.test>',
        WEBHOOK_SECRET,
        WEBHOOK_ALLOW_INTERNAL: 'true',
        WEBHOOK_ALLOWED_PORTS: `${flaky.port},${closedPort}`,
        AGENT: 'llm',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'fake-model-1',
        LLM_API_KEY,
        LLM_MAX_RETRIES: '3',
        DELIVERY_MAX_ATTEMPTS: '3',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_INITIAL_DELAY_MS: '20',
        DELIVERY_MAX_DELAY_MS: '100',
        RETRY_INITIAL_DELAY_MS: '5',
        RETRY_MAX_DELAY_MS: '100',
        OUTBOX_POLL_INTERVAL_MS: '20',
        POLL_INTERVAL_MS: '20',
        SHUTDOWN_TIMEOUT_MS: '20000',
      },
    });
    service = new CapturedService(child);
    const started = service;
    await eventually(
      () => {
        if (!started.running()) throw new Error(`the service exited before it listened:\n${started.lines().slice(-20).join('\n')}`);
        if (!started.stdout.includes(`Refinery is listening on ${base}`)) throw new Error('not listening yet');
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    ).catch((error: unknown) => {
      if (!started.running()) throw error;
      throw new Error(`the service did not listen within 60 s:\n${started.lines().slice(-20).join('\n')}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (service?.running()) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await flaky?.close();
    await llm?.close();
    await smtp?.close();
    // The child declared its own topology: every queue and exchange of this run's prefix (the
    // broker lists them when rabbitmqctl runs here; the consumers its log names otherwise).
    const consumers = [...new Set(service?.logLines().flatMap((l) => (typeof l['consumer'] === 'string' ? [l['consumer']] : [])) ?? [])];
    await deleteBrokerObjects(RABBITMQ_URL, RABBITMQ_PREFIX, {
      queues: [
        ...consumers.flatMap((c) => [`${RABBITMQ_PREFIX}.${c}`, `${RABBITMQ_PREFIX}.${c}.retry`, `${RABBITMQ_PREFIX}.${c}.dlq`]),
        `${RABBITMQ_PREFIX}.events.delayed`,
        `${RABBITMQ_PREFIX}.commands.delayed`,
      ],
      exchanges: [`${RABBITMQ_PREFIX}.events`, `${RABBITMQ_PREFIX}.commands`, `${RABBITMQ_PREFIX}.events.delay`, `${RABBITMQ_PREFIX}.commands.delay`],
    });
    await scratch?.drop();
  }, 60_000);

  it('runs submit, questions, answers, PRD, reject, PRD v2 and approve with failing deliveries and a database error, and logs none of its secrets', async () => {
    const running = service;
    if (!running) throw new Error('the service did not start');
    const notified = (who: Person, taskId: string, kind: string, prdVersion?: number) =>
      eventually(
        async () => {
          const { body } = await call<{ notifications: Notification[] }>(`${base}/api/notifications`, { token: TOKENS[who.id] });
          const found = body.notifications.find((n) => n.taskId === taskId && n.kind === kind && (prdVersion === undefined || n.prdVersion === prdVersion));
          if (!found) throw new Error(`${who.id} has no ${kind} notification for ${taskId} yet`);
          return found;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
    const mailTo = (who: Person, notificationId: string) =>
      eventually(
        () => {
          const found = smtp.received.find((r) => r.to.includes(who.email) && r.mail.headers.get('x-refinery-notification') === notificationId);
          if (!found) throw new Error(`no mail to ${who.id} for ${notificationId} yet (${smtp.received.length} received)`);
          return found;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );

    // Both people choose email and a webhook.
    for (const [who, port] of [
      [ALICE, flaky.port],
      [BOB, closedPort],
    ] as const) {
      const put = await call(`${base}/api/me/channels`, {
        method: 'PUT',
        token: TOKENS[who.id],
        body: { email: who.email, webhookUrl: webhookUrl(port, who) },
      });
      expect(put.status).toBe(200);
    }

    // A web sign-in with Alice's token, and the inbox with its session cookie.
    const login = await fetch(`${base}/inbox/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ token: TOKENS.alice, next: '/inbox' }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = /refinery_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(cookie.length).toBeGreaterThan(20);
    expect((await fetch(`${base}/inbox`, { headers: { cookie: `refinery_session=${cookie}` }, redirect: 'manual' })).status).toBe(200);
    expect((await fetch(`${base}/inbox`, { redirect: 'manual' })).status).toBe(303);

    // An attacker's guess is refused (and logged, without the token).
    expect((await call(`${base}/api/notifications`, { token: WRONG_TOKEN })).status).toBe(401);

    // The workflow: a request, questions, answers, PRD v1, rejected, PRD v2, approved.
    const submitted = await call<{ taskId: string }>(`${base}/api/tasks`, { method: 'POST', token: TOKENS.alice, body: REQUEST });
    expect(submitted.status).toBe(202);
    const { taskId } = submitted.body;
    const clarification = await notified(ALICE, taskId, 'clarification-requested');
    expect(clarification.questions?.length).toBeGreaterThan(0);
    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: ANSWER }));
    expect((await call(`${base}/api/tasks/${taskId}/answers`, { method: 'POST', token: TOKENS.alice, body: { answers } })).status).toBe(202);

    const review1 = await notified(BOB, taskId, 'prd-ready-for-review', 1);
    const review1Mail = await mailTo(BOB, review1.id);
    expect((await call(`${base}/api/tasks/${taskId}/reject`, { method: 'POST', token: TOKENS.bob, body: { feedback: FEEDBACK, prdVersion: 1 } })).status).toBe(
      202,
    );
    const review2 = await notified(BOB, taskId, 'prd-ready-for-review', 2);

    // The approve link of the second review's email: its page (a GET decides nothing), then the API.
    const review2Mail = await mailTo(BOB, review2.id);
    const links = [review1Mail, review2Mail].flatMap((m) => [...(m.mail.text ?? '').matchAll(/\/inbox\/links\/([^\s"'<>]+)/g)].map((l) => l[1] ?? ''));
    expect(links.length).toBeGreaterThanOrEqual(4);
    const approveLink = /Approve PRD version 2: (\S+)/.exec(review2Mail.mail.text ?? '')?.[1] ?? '';
    expect(approveLink.startsWith(`${base}/inbox/links/`)).toBe(true);
    expect((await fetch(approveLink)).status).toBe(200);
    expect((await call(`${base}/api/tasks/${taskId}/approve`, { method: 'POST', token: TOKENS.bob, body: { prdVersion: 2 } })).status).toBe(202);
    const approved = await notified(ALICE, taskId, 'task-approved');
    await eventually(
      async () => expect((await call<{ task: { status: string } }>(`${base}/api/tasks/${taskId}`, { token: TOKENS.alice })).body.task.status).toBe('APPROVED'),
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    await mailTo(ALICE, approved.id);

    // A database error inside a request: PostgreSQL refuses Carol's row, its detail names her values.
    const database = new Client({ connectionString: scratch.url });
    await database.connect();
    try {
      await database.query(
        `ALTER TABLE human_interaction.user_channels ADD CONSTRAINT test_no_marker CHECK (webhook_url IS NULL OR webhook_url NOT LIKE '%db-error-marker%')`,
      );
    } finally {
      await database.end();
    }
    const refused = await call(`${base}/api/me/channels`, {
      method: 'PUT',
      token: TOKENS.carol,
      body: { email: CAROL.email, webhookUrl: webhookUrl(flaky.port, CAROL) },
    });
    expect(refused).toEqual({ status: 500, body: { error: 'internal' } });

    // The deliveries: every mail was sent with the SMTP password; Alice's first webhook failed for
    // good after three 500s, a later one reached her receiver; Bob's could not connect. The model
    // was called with the key, its failure retried.
    expect(smtp.received.length).toBeGreaterThanOrEqual(4);
    expect(smtp.received.every((r) => r.user === SMTP_USER)).toBe(true);
    await eventually(() => expect(flaky.received.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000, intervalMs: 50 });
    expect(flaky.received.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 500]);
    expect(llm.requests.length).toBe(4);
    expect(llm.requests.every((r) => r.headers.authorization === `Bearer ${LLM_API_KEY}`)).toBe(true);
    const logs = () => running.logLines();
    await eventually(
      () => expect(logs().some((l) => l['msg'] === 'notification delivered' && l['channel'] === 'webhook' && l['recipientId'] === 'alice')).toBe(true),
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );

    // Stopped as an operator stops it: its last lines (shutdown) are captured too.
    running.child.kill('SIGTERM');
    await running.exited;
    expect(running.child.exitCode).toBe(0);

    // The capture is the whole run: start-up, debug lines, the failing deliveries, the database
    // error, the refused token, the shutdown.
    const lines = running.lines();
    const parsed = running.logLines();
    expect(parsed.length).toBeGreaterThan(50);
    expect(parsed.some((l) => l['msg'] === 'database migrated')).toBe(true);
    expect(parsed.some((l) => String(l['msg']).startsWith('connected to RabbitMQ at 127.0.0.1:5672'))).toBe(true);
    // Start-up names the agent's settings, the key only as set.
    expect(parsed).toContainEqual(expect.objectContaining({ msg: 'product-manager agent: LLM', baseUrl: llm.baseUrl, apiKey: 'set' }));
    expect(parsed.filter((l) => l['level'] === 20).length).toBeGreaterThan(20);
    expect(
      parsed.some(
        (l) => l['msg'] === 'notification delivery failed; will retry' && l['channel'] === 'webhook' && l['err'] === 'WebhookDeliveryError: HTTP 500',
      ),
    ).toBe(true);
    expect(parsed.some((l) => l['level'] === 50 && l['recipientId'] === 'alice' && String(l['msg']).includes('by webhook failed for good'))).toBe(true);
    expect(parsed.some((l) => l['channel'] === 'webhook' && l['recipientId'] === 'bob' && l['err'] === 'WebhookDeliveryError: connection refused')).toBe(true);
    expect(parsed.some((l) => l['msg'] === 'LLM call failed; retrying')).toBe(true);
    expect(parsed.some((l) => l['msg'] === 'request failed' && (l['err'] as { type?: string } | undefined)?.type === 'QueryFailedError')).toBe(true);
    expect(parsed.some((l) => l['msg'] === 'authentication refused' && l['route'] === '/api/notifications')).toBe(true);
    expect(parsed.some((l) => l['msg'] === 'shutting down: draining in-flight work')).toBe(true);
    expect(parsed.at(-1)?.['msg']).toBe('stopped');
    expect(lines.some((l) => l.includes(`Refinery is listening on ${base}`))).toBe(true);

    const secrets: Record<string, string> = {
      ...Object.fromEntries(Object.entries(TOKENS).map(([id, token]) => [`${id}'s API token`, token])),
      'the wrong token': WRONG_TOKEN,
      LINK_SECRET,
      WEBHOOK_SECRET,
      LLM_API_KEY,
      'the SMTP password': SMTP_PASSWORD,
      'the SMTP URL': smtpUrl,
      "the SMTP URL's userinfo": `${SMTP_USER}:${SMTP_PASSWORD}`,
      'the database password': DATABASE_PASSWORD,
      DATABASE_URL: databaseUrl,
      RABBITMQ_URL,
      "the RabbitMQ URL's userinfo": `${new URL(RABBITMQ_URL).username}:${new URL(RABBITMQ_URL).password}@`,
      'the session cookie': cookie,
      'the database error marker': DB_ERROR_MARKER,
      "Carol's email (a parameter of the failed statement)": CAROL.email,
    };
    for (const [who, port] of [
      [ALICE, flaky.port],
      [BOB, closedPort],
      [CAROL, flaky.port],
    ] as const) {
      secrets[`${who.id}'s webhook URL`] = webhookUrl(port, who);
      secrets[`${who.id}'s webhook path`] = who.webhookPath;
      secrets[`${who.id}'s webhook query`] = who.webhookQuery;
    }
    links.forEach((link, i) => (secrets[`action link ${i + 1}`] = link));
    // Each secret as written and URL-encoded; a leak is reported with the text around it.
    const leaks = Object.entries(secrets).flatMap(([name, secret]) =>
      [...new Set([secret, encodeURIComponent(secret)])].flatMap((form) =>
        lines.flatMap((line) => {
          const at = line.indexOf(form);
          return at < 0 ? [] : [`${name}: …${line.slice(Math.max(0, at - 160), at + form.length + 40)}…`];
        }),
      ),
    );
    expect(leaks).toEqual([]);
  }, 180_000);
});
