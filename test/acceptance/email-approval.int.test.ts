import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { putChannels } from '../support/channel-helpers';
import { SmtpSink } from '../support/smtp-sink';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { Api, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';

const decode = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decode(value);
}

/**
 * The fields a browser would submit with `form`: its named inputs, textareas and the first named
 * submit button (the one a person clicks).
 */
function formFields(form: string): URLSearchParams {
  const fields = new URLSearchParams();
  let submitted = false;
  for (const tag of form.match(/<(input|button)\b[^>]*>/gi) ?? []) {
    const name = attribute(tag, 'name');
    if (!name) continue;
    const type = (attribute(tag, 'type') ?? (tag.toLowerCase().startsWith('<button') ? 'submit' : 'text')).toLowerCase();
    if (type === 'submit') {
      if (submitted) continue;
      submitted = true;
    }
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/i.test(tag)) continue;
    fields.append(name, attribute(tag, 'value') ?? '');
  }
  for (const match of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const name = attribute(match[1] ?? '', 'name');
    if (name) fields.append(name, decode(match[2] ?? ''));
  }
  return fields;
}

const mailFor = (notificationId: string) => (mail: ParsedMail) => mail.headers.get('x-refinery-notification') === notificationId;

/**
 * Issue #4's "done when": on the real PostgreSQL and RabbitMQ, with a real SMTP server in the
 * test, the approver receives the review email, follows its approve link, submits the page's
 * form, and the task is APPROVED; the requester then receives the approved email.
 */
describe('approving a PRD from an email (PostgreSQL, RabbitMQ, SMTP)', () => {
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  let smtp: SmtpSink;
  let app: Application;
  let base: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    smtp = await SmtpSink.start();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        RABBITMQ_URL,
        RABBITMQ_PREFIX: `refinery-test-${randomBytes(4).toString('hex')}`,
        RABBITMQ_QUEUE_TYPE: 'quorum',
        PORT: '0',
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Refinery <refinery@example.test>',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_INITIAL_DELAY_MS: '50',
      },
    });
    base = await app.listen();
  });
  afterAll(async () => {
    const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
    await app.stop();
    await admin.deleteTopology(topology);
    await admin.close();
    await smtp.close();
    await scratch.drop();
  });

  it('takes the approve link from the email to an APPROVED task, and mails the requester', async () => {
    expect(app.transport).toBeInstanceOf(RabbitMqMessageQueue);
    const api = new Api(app);
    expect((await putChannels(app, 'alice', { email: 'alice@example.test' })).status).toBe(200);
    expect((await putChannels(app, 'bob', { email: 'bob@example.test' })).status).toBe(200);

    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    const taskId = body.taskId;
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');

    const mail = await smtp.mailTo('bob@example.test', mailFor(review.id));
    const text = mail.text ?? '';
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(text).toContain('PRD version 1');
    expect(text).toContain('Backlog trends');
    expect(html).toContain('PRD version 1');
    const approveUrl = /Approve PRD version 1: (\S+)/.exec(text)?.[1];
    expect(approveUrl).toMatch(new RegExp(`^${base}/inbox/links/`));
    expect(html).toContain(`href="${approveUrl}"`);

    // The link's page: one form that posts to the link itself (GET never acts).
    const page = await fetch(approveUrl ?? '');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const pageHtml = await page.text();
    const action = new URL(approveUrl ?? '').pathname;
    const forms = [...pageHtml.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)]
      .map((m) => m[0])
      .filter((form) => {
        const open = /^<form\b[^>]*>/i.exec(form)?.[0] ?? '';
        return attribute(open, 'method')?.toLowerCase() === 'post' && attribute(open, 'action') === action;
      });
    expect(forms).toHaveLength(1);
    expect((await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status).toBe('PRD_VALIDATION');

    // Sent as the browser showing the link's page sends its form: from the page's origin.
    const posted = await fetch(new URL(action, base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(base).origin },
      body: formFields(forms[0] ?? '').toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBeGreaterThanOrEqual(200);
    expect(posted.status).toBeLessThan(400);

    await eventually(async () => expect((await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status).toBe('APPROVED'), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    const history = (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.history;
    expect(history.at(-1)).toMatchObject({ from: 'PRD_VALIDATION', to: 'APPROVED', actor: 'user:bob' });

    const approved = await notificationFor(api, 'alice', taskId, 'task-approved');
    const approvedMail = await smtp.mailTo('alice@example.test', mailFor(approved.id));
    expect(approvedMail.text).toContain('Backlog trends');
    expect(approvedMail.text).toContain(`${base}/inbox/tasks/${taskId}`);

    // The link worked once: following it again is refused.
    const again = await fetch(new URL(action, base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(base).origin },
      body: formFields(forms[0] ?? '').toString(),
      redirect: 'manual',
    });
    expect(again.status).toBe(409);
  });
});
