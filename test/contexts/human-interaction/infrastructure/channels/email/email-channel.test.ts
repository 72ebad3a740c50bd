import type { Application } from '../../../../../../src/app/container';
import { ActionLinkSigner } from '../../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { Api } from '../../../../../support/api';
import { startTestApp, TEST_LINK_SECRET } from '../../../../../support/app';
import { eventually } from '../../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../../support/refinement-scenario';
import { deliveriesOf, putChannels } from '../../../../../support/channel-helpers';
import { SmtpSink } from '../../../../../support/smtp-sink';

const TYPED = '<script>alert(1)</script><b>x</b>';

describe('email notifications', () => {
  let app: Application;
  let api: Api;
  let base: string;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    app = await startTestApp({
      env: { PORT: '0', SMTP_URL: smtp.url, SMTP_FROM: 'Refinery <refinery@example.test>', DELIVERY_POLL_INTERVAL_MS: '10', DELIVERY_INITIAL_DELAY_MS: '20' },
    });
    base = await app.listen();
    api = new Api(app);
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await smtp.close();
  });

  it('mails the questions with a signed answer link; what the requester typed is text in the HTML part and literal in the text part', async () => {
    const chosen = await putChannels(app, 'alice', { email: 'alice@example.test' });
    expect(chosen.body).toMatchObject({ email: 'alice@example.test', webhookUrl: null, available: { email: true, webhook: false } });
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: `Search ${TYPED}`, description: `Make search better. ${TYPED}` });
    const clarification = await notificationFor(api, 'alice', body.taskId, 'clarification-requested');

    const mail = await smtp.mailTo('alice@example.test', (m) => m.headers.get('x-refinery-notification') === clarification.id);
    expect(mail.from?.value).toEqual([{ address: 'refinery@example.test', name: 'Refinery' }]);
    expect(mail.subject).toBe((clarification as typeof clarification & { subject: string }).subject);
    const text = mail.text ?? '';
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(html).not.toBe('');

    expect(text).toContain(`Make search better. ${TYPED}`);
    expect(html).toContain('Make search better. &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('Search &lt;script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>x</b>');

    for (const question of clarification.questions ?? []) expect(text).toContain(question);
    expect(text).toContain(`${base}/inbox/tasks/${body.taskId}`);
    expect(html).toContain(`href="${base}/inbox/tasks/${body.taskId}"`);

    // The answer link is in both parts, and is a link the service signed for alice, to answer this task.
    const link = new RegExp(`${base}/inbox/links/([\\w-]+\\.[\\w-]+)`).exec(text);
    expect(link).not.toBeNull();
    expect(html).toContain(`href="${link?.[0]}"`);
    const opened = new ActionLinkSigner(TEST_LINK_SECRET).open(link?.[1] ?? '', new Date());
    expect(opened).toMatchObject({
      ok: true,
      claims: { userId: 'alice', taskId: body.taskId, action: 'answer', notificationId: clarification.id, taskVersion: clarification.taskVersion },
    });

    await eventually(async () =>
      expect(await deliveriesOf(app, { notificationId: clarification.id })).toEqual([
        expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1, target: 'alice@example.test' }),
      ]),
    );
    // One email per notification.
    expect(smtp.received.filter((r) => r.mail.headers.get('x-refinery-notification') === clarification.id)).toHaveLength(1);
  });

  it("mails the approver a review whose subject names the PRD version and the task's title", async () => {
    await putChannels(app, 'bob', { email: 'bob@example.test' });
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    const review = await notificationFor(api, 'bob', body.taskId, 'prd-ready-for-review');
    const mail = await smtp.mailTo('bob@example.test', (m) => m.headers.get('x-refinery-notification') === review.id);
    expect(mail.subject).toBe('PRD v1 ready for review: "Backlog trends"');
  });
});
