import type { DeliveryContent } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content';
import { renderEmail } from '../../../../../src/contexts/human-interaction/infrastructure/channels/email/render-email';
import { renderWebhookBody } from '../../../../../src/contexts/human-interaction/infrastructure/channels/webhook/render-webhook';

const HOSTILE = '<img src=x onerror=alert(1)> & "quotes" <https://evil.example|click me>';

/** A PRD review whose every typed field holds markup. */
const review: DeliveryContent = {
  notificationId: 'notify:t-1:5:bob',
  kind: 'prd-ready-for-review',
  subject: 'PRD v2 ready for review: "Invoices"',
  headline: 'PRD version 2 is ready for your review: approve it, or reject it with feedback for the next version.',
  recipientName: 'Bob',
  task: { taskId: 't-1', title: `Invoices ${HOSTILE}`, description: `Export them.\n${HOSTILE}` },
  taskVersion: 5,
  prdVersion: 2,
  questions: [],
  prd: {
    version: 2,
    title: `Invoice export ${HOSTILE}`,
    problem: `Finance retypes invoices. ${HOSTILE}`,
    goals: ['Monthly CSV'],
    requirements: [
      { id: 'FR-1', description: `Export a month ${HOSTILE}`, priority: 'P0' },
      { id: 'FR-2', description: 'CSV export of the chart', priority: 'P1' },
    ],
    successMetrics: ['No retyping'],
    openQuestions: ['Which months?'],
    changes: ['For feedback 1 (“Add CSV”): Added a CSV export [added FR-2]'],
    generatedBy: 'LLM agent (model qwen-small), prompt prd/3; 1200 tokens in, 400 out; 1 model call, 2.5 s',
  },
  links: [
    { action: 'approve', url: 'https://refinery.example.com/inbox/links/aaa.bbb' },
    { action: 'reject', url: 'https://refinery.example.com/inbox/links/ccc.ddd' },
  ],
  taskUrl: 'https://refinery.example.com/inbox/tasks/t-1',
};

describe('notification rendering', () => {
  it('writes the PRD summary and both decision links in the text and the HTML part of an email', () => {
    const email = renderEmail(review);
    expect(email.subject).toBe(review.subject);
    for (const part of [email.text, email.html]) {
      expect(part).toContain('PRD version 2');
      expect(part).toContain('FR-2');
      expect(part).toContain('CSV export of the chart');
      expect(part).toContain('Changes in this version');
      expect(part).toContain('Added a CSV export [added FR-2]');
      expect(part).toContain('Which months?');
      expect(part).toContain('model qwen-small');
      expect(part).toContain('https://refinery.example.com/inbox/links/aaa.bbb');
      expect(part).toContain('https://refinery.example.com/inbox/links/ccc.ddd');
      expect(part).toContain(review.taskUrl);
    }
    expect(email.text).toContain('Approve PRD version 2: https://refinery.example.com/inbox/links/aaa.bbb');
    expect(email.text).toContain('Reject with feedback: https://refinery.example.com/inbox/links/ccc.ddd');
  });

  it('shows typed markup as text in the HTML part and unchanged in the text part', () => {
    const email = renderEmail(review);
    const escaped = '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &lt;https://evil.example|click me&gt;';
    expect(email.html.split(escaped).length - 1).toBe(5); // task title, description, PRD title, problem, FR-1
    expect(email.html).not.toContain('<img');
    expect(email.text.split(HOSTILE).length - 1).toBe(5);
  });

  it('escapes &, < and > in the webhook mrkdwn so typed text can neither format nor forge a link', () => {
    const body = renderWebhookBody(review);
    const mrkdwn = [body.text, ...body.blocks.map((b) => b.text.text)].join('\n');
    expect(mrkdwn).not.toContain('<https://evil.example|');
    expect(mrkdwn).not.toContain('<img');
    expect(mrkdwn).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; "quotes" &lt;https://evil.example|click me&gt;');
    expect(mrkdwn).toContain('<https://refinery.example.com/inbox/links/aaa.bbb|Approve PRD v2>');
    expect(mrkdwn).toContain('<https://refinery.example.com/inbox/tasks/t-1|Open the task>');
    expect(mrkdwn).toContain('*Changes in this version:*\n• For feedback 1 (“Add CSV”): Added a CSV export [added FR-2]');
    // The data part is raw (JSON is not markup): receivers that act on it get the facts as typed.
    expect(body.refinery).toEqual({
      notificationId: review.notificationId,
      kind: 'prd-ready-for-review',
      taskId: 't-1',
      taskVersion: 5,
      prdVersion: 2,
      subject: review.subject,
      title: review.task?.title,
      questions: [],
      links: { task: review.taskUrl, approve: review.links[0]?.url, reject: review.links[1]?.url },
    });
  });

  it('renders an alert about no task (a context without a live worker) with its facts and the workers page, and no task part', () => {
    const alert: DeliveryContent = {
      notificationId: 'alert-notification:x:raised:root',
      kind: 'alert-no-worker',
      subject: 'No live worker: product-definition has had none for 2 min',
      headline: 'No live process runs product-definition: its part of every workflow waits until one does.',
      recipientName: 'Root',
      task: null,
      taskVersion: null,
      prdVersion: null,
      questions: [],
      prd: null,
      links: [],
      taskUrl: 'https://refinery.example.com/inbox/ops/workers',
      facts: ['Context: product-definition', 'Last instance: agent-host/4002, last seen 2026-12-03 10:00:00 UTC'],
    };
    const email = renderEmail(alert);
    for (const part of [email.text, email.html]) {
      expect(part).toContain('No live process runs product-definition');
      expect(part).toContain('Last instance: agent-host/4002');
      expect(part).toContain('https://refinery.example.com/inbox/ops/workers');
      expect(part).not.toContain('Open the task');
      expect(part).not.toContain('Task:');
    }
    expect(email.html).toContain('Open the workers page');
    const body = renderWebhookBody(alert);
    expect(body.refinery).toMatchObject({ taskId: null, taskVersion: null, title: null, links: { workers: alert.taskUrl } });
    expect(body.blocks.map((b) => b.text.text).join('\n')).not.toContain('*Task:*');
    expect(body.text).toContain('Open the workers page');
  });
});
