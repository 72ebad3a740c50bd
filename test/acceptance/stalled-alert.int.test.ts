import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { RabbitMqTopology } from '../../src/shared/messaging/rabbitmq/rabbitmq-topology';
import { Api, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { putChannels } from '../support/channel-helpers';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { COMPLETE_ANSWER } from '../support/refinement-scenario';
import { childServiceEnv, ServiceProcess } from '../support/service-process';
import { SmtpSink } from '../support/smtp-sink';

const decode = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : decode(value);
}

/** The POST forms of a page whose action is `action`, each with the fields a browser would send. */
function postFormsTo(page: string, action: string): URLSearchParams[] {
  return [...page.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)]
    .map((m) => m[0])
    .filter((form) => {
      const open = /^<form\b[^>]*>/i.exec(form)?.[0] ?? '';
      return attribute(open, 'method')?.toLowerCase() === 'post' && attribute(open, 'action') === action;
    })
    .map((form) => {
      const fields = new URLSearchParams();
      for (const tag of form.match(/<input\b[^>]*>/gi) ?? []) {
        const name = attribute(tag, 'name');
        if (name) fields.append(name, attribute(tag, 'value') ?? '');
      }
      return fields;
    });
}

const ADMIN_EMAIL = 'root@example.test';
const subjectOf = (mail: ParsedMail): string => mail.subject ?? '';

/**
 * Issue #10's "done when": the contexts in two OS processes on the real PostgreSQL and RabbitMQ
 * (task management, orchestration and human interaction in this one; product definition in a
 * child process), an SMTP server in the test. Product definition is stopped (not running) when the
 * request arrives, so the task's announcement to it has no queue to wait in and is gone: the task
 * stalls in REQUEST_VALIDATION, and nothing repairs it by itself (the sweep's re-announcement is
 * pushed out to 10 minutes). The admin gets exactly one "stalled" email; once product definition
 * runs again, the email's "re-drive now" link, followed as a browser does (GET the page, POST its
 * form), moves the task on, and one "moved on" email follows.
 */
describe('a stalled workflow reaches an admin by email, and its re-drive link moves it on (PostgreSQL, RabbitMQ, SMTP, two processes)', () => {
  const prefix = `refinery-test-${randomBytes(4).toString('hex')}`;
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  let smtp: SmtpSink;
  let app: Application;
  let base: string;
  let productDefinition: ServiceProcess | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    smtp = await SmtpSink.start();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        CONTEXTS: 'task-management,orchestration,human-interaction',
        DATABASE_URL: scratch.url,
        RABBITMQ_URL,
        RABBITMQ_PREFIX: prefix,
        RABBITMQ_QUEUE_TYPE: 'classic',
        PORT: '0',
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Refinery <refinery@example.test>',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_INITIAL_DELAY_MS: '50',
        SCAN_INTERVAL_MS: '200',
        // A task 1.5 s in REQUEST_VALIDATION has stalled; no timer of the sweep repairs it within the test.
        STALLED_REQUEST_VALIDATION_MS: '1500',
        REDRIVE_AFTER_MS: '600000',
        REPUBLISH_IDLE_MS: '600000',
        RESEND_UNCONFIRMED_AFTER_MS: '600000',
      },
    });
    base = await app.listen();
  }, 60_000);

  afterAll(async () => {
    await productDefinition?.stop('SIGTERM');
    const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
    await app.stop();
    // The child's own queues, then everything this process declared.
    const childQueues = new RabbitMqTopology(prefix, 'classic').consumerQueues('product-definition.task-events');
    for (const queue of [childQueues.work, childQueues.retry, childQueues.deadLetter]) await admin.deleteQueue(queue).catch(() => undefined);
    await admin.deleteTopology(topology);
    await admin.close();
    await smtp.close();
    await scratch.drop();
  }, 60_000);

  it('mails one stalled alert, re-drives from its link once product definition is back, and mails one "moved on"', async () => {
    const api = new Api(app);
    expect((await putChannels(app, 'root', { email: ADMIN_EMAIL })).status).toBe(200);
    const statusOf = async (taskId: string) => (await api.get<TaskView>('root', `/api/tasks/${taskId}`)).body.task?.status;

    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    const taskId = body.taskId;
    await eventually(async () => expect(await statusOf(taskId)).toBe('REQUEST_VALIDATION'), { timeoutMs: 20_000, intervalMs: 50 });

    // The stalled email: the task, the state, for how long, what the scanner tried, the link.
    const stalled = await smtp.mailTo(ADMIN_EMAIL, (mail) => subjectOf(mail).startsWith('Stalled:'), 30_000);
    expect(subjectOf(stalled)).toMatch(/^Stalled: "Backlog trends" has been in REQUEST_VALIDATION for \d/);
    const text = stalled.text ?? '';
    expect(text).toContain('State: REQUEST_VALIDATION (task version 2)');
    expect(text).toMatch(/In this state since .+: \d[^\n]* when the scanner noticed \(its threshold: 1 s\)/);
    expect(text).toContain('What the scanner already tried: sent task-management.republish-open-tasks.v1 again');
    expect(text).toContain(`${base}/inbox/tasks/${taskId}`);
    const redriveUrl = /Re-drive now: (\S+)/.exec(text)?.[1] ?? '';
    expect(redriveUrl).toMatch(new RegExp(`^${base}/inbox/links/`));
    expect(typeof stalled.html === 'string' ? stalled.html : '').toContain(`href="${redriveUrl}"`);

    // Product definition comes back. Its queue is new: what it missed is not waiting there.
    productDefinition = ServiceProcess.spawn('product-definition', {
      ...childServiceEnv(scratch.url, prefix),
      CONTEXTS: 'product-definition',
      POLL_INTERVAL_MS: '20',
      OUTBOX_POLL_INTERVAL_MS: '20',
    });
    await productDefinition.listening;
    expect(await statusOf(taskId)).toBe('REQUEST_VALIDATION');

    // The link as a browser follows it: the page (GET changes nothing), then its one form.
    const page = await fetch(redriveUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('Re-drive the task');
    expect(html).toContain('REQUEST_VALIDATION');
    const action = new URL(redriveUrl).pathname;
    const forms = postFormsTo(html, action);
    expect(forms).toHaveLength(1);
    const post = () =>
      fetch(new URL(action, base), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: (forms[0] ?? new URLSearchParams()).toString(),
        redirect: 'manual',
      });
    const posted = await post();
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Re-drive sent');

    // Re-driven: task management re-announces the task, product definition writes the PRD.
    await eventually(async () => expect(await statusOf(taskId)).toBe('PRD_VALIDATION'), { timeoutMs: 30_000, intervalMs: 100 });
    const movedOn = await smtp.mailTo(ADMIN_EMAIL, (mail) => subjectOf(mail).startsWith('Moved on:'), 30_000);
    expect(subjectOf(movedOn)).toBe('Moved on: "Backlog trends" is now PRD_VALIDATION (stalled in REQUEST_VALIDATION before)');
    expect(movedOn.text).toContain('Re-drive asked by root at');

    // The link worked once: a second use is refused and does nothing.
    const again = await post();
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This link was already used');

    // Exactly one of each reached the admin, and nothing else about alerts.
    const toAdmin = smtp.received.filter((r) => r.to.includes(ADMIN_EMAIL)).map((r) => subjectOf(r.mail));
    expect(toAdmin.filter((s) => s.startsWith('Stalled:'))).toHaveLength(1);
    expect(toAdmin.filter((s) => s.startsWith('Moved on:'))).toHaveLength(1);
    expect(productDefinition.isRunning()).toBe(true);
  }, 120_000);
});
