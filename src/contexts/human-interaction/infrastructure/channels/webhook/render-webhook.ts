import type { DeliveryContent } from '../../../application/deliver-notifications/delivery-content';

/** Slack's mrkdwn reserves &, < and >: escaped, typed text can neither format nor forge a link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack refuses a section text over 3,000 characters. */
const SECTION_LIMIT = 3_000;

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

const link = (url: string, label: string): string => `<${url}|${escapeMrkdwn(label)}>`;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_LIMIT) } });

const LABELS = { answer: 'Answer the questions', approve: 'Approve', reject: 'Reject with feedback', redrive: 'Re-drive now' } as const;

export interface WebhookBody {
  readonly text: string;
  readonly blocks: ReadonlyArray<ReturnType<typeof section>>;
  readonly refinery: {
    readonly notificationId: string;
    readonly kind: string;
    /** Null, with `taskVersion` and `title`, for an alert about no task (a context without a live worker). */
    readonly taskId: string | null;
    readonly taskVersion: number | null;
    readonly prdVersion: number | null;
    readonly subject: string;
    readonly title: string | null;
    readonly questions: readonly string[];
    readonly links: Readonly<Record<string, string>>;
    /** An alert's facts (absent for other notifications). */
    readonly facts?: readonly string[];
  };
}

/**
 * A body Slack-compatible receivers (incoming webhooks, Mattermost, …) show as it is: `text` as
 * the summary and fallback, `blocks` as mrkdwn sections. `refinery` carries the same facts as
 * data for receivers that act on them.
 */
export function renderWebhookBody(c: DeliveryContent): WebhookBody {
  const actions = c.links.map((l) => link(l.url, l.action === 'approve' && c.prdVersion !== null ? `Approve PRD v${c.prdVersion}` : LABELS[l.action]));
  const linkLine = [...actions, link(c.taskUrl, c.task ? 'Open the task' : 'Open the workers page')].join(' · ');
  const blocks = [section(`*${escapeMrkdwn(c.subject)}*\n${escapeMrkdwn(c.headline)}`)];
  if (c.facts && c.facts.length > 0) blocks.push(section(c.facts.map((fact) => `• ${escapeMrkdwn(fact)}`).join('\n')));
  if (c.task) {
    blocks.push(
      section(
        `*Task:* ${link(c.taskUrl, c.task.title)}\n${clip(escapeMrkdwn(c.task.description), 1_500)
          .split('\n')
          .map((line) => `>${line}`)
          .join('\n')}`,
      ),
    );
  }
  if (c.questions.length > 0) blocks.push(section(`*Questions*\n${c.questions.map((q, i) => `${i + 1}. ${escapeMrkdwn(q)}`).join('\n')}`));
  if (c.prd) {
    const p = c.prd;
    const requirements = p.requirements.map((r) => `• ${escapeMrkdwn(r.id)} (${r.priority}) ${escapeMrkdwn(r.description)}`).join('\n');
    blocks.push(section(`*PRD version ${p.version}: ${escapeMrkdwn(p.title)}*\n*Problem:* ${escapeMrkdwn(p.problem)}\n*Requirements:*\n${requirements}`));
    if (p.changes.length > 0) blocks.push(section(`*Changes in this version:*\n${p.changes.map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`));
  }
  blocks.push(section(linkLine));
  const links: Record<string, string> = c.task ? { task: c.taskUrl } : { workers: c.taskUrl };
  for (const l of c.links) links[l.action] = l.url;
  return {
    text: `${escapeMrkdwn(c.subject)}: ${escapeMrkdwn(c.headline)} ${linkLine}`,
    blocks,
    refinery: {
      notificationId: c.notificationId,
      kind: c.kind,
      taskId: c.task?.taskId ?? null,
      taskVersion: c.taskVersion,
      prdVersion: c.prdVersion,
      subject: c.subject,
      title: c.task?.title ?? null,
      questions: c.questions,
      links,
      ...(c.facts ? { facts: c.facts } : {}),
    },
  };
}
