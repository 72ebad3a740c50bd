import { setTimeout as pause } from 'node:timers/promises';
import type { Api, NotificationView } from '../../support/api';
import { COMPLETE_ANSWER } from '../../support/refinement-scenario';

const REQUESTERS = ['alice', 'carol'] as const;
/** How often the bot looks at its inbox, as a person's client would poll. */
const POLL_MS = 25;

export interface BotProgress {
  readonly submitted: number;
  readonly approvalsSent: number;
  /** Approve calls refused (e.g. 409: the task view was not at PRD_VALIDATION yet); tried again later. */
  readonly refused: number;
  /** Answers 503 (a dependency unavailable), to submits, inbox reads and approvals alike; each tried again later. */
  readonly unavailable: number;
}

/**
 * Drives `total` workflows through the HTTP API as people would: requesters submit complete
 * requests (the agent drafts a PRD at once), bob approves each PRD he is notified about. At most
 * `window` workflows are open at a time, which keeps bob's unhandled notifications well inside
 * the newest 100 his inbox lists.
 */
export class ApprovalBot {
  readonly taskIds: string[] = [];
  private readonly approved = new Set<string>();
  private refused = 0;
  private unavailable = 0;
  /** Every answer the bot got, by status code. */
  readonly answers = new Map<number, number>();

  constructor(
    private readonly api: Api,
    private readonly total: number,
    private readonly window: number,
  ) {}

  progress(): BotProgress {
    return { submitted: this.taskIds.length, approvalsSent: this.approved.size, refused: this.refused, unavailable: this.unavailable };
  }

  /** Runs until every workflow was submitted and approved by bob, or the deadline (then throws). */
  async run(deadline: number, onProgress: (progress: BotProgress) => void): Promise<void> {
    while (this.approved.size < this.total) {
      if (Date.now() > deadline) throw new Error(`bot: deadline passed at ${JSON.stringify(this.progress())}`);
      await this.submitUpToWindow();
      await this.approveNotified();
      onProgress(this.progress());
      await pause(POLL_MS);
    }
  }

  /** In parallel, as many people would: a serial bot would be the bottleneck, not the service. */
  private async submitUpToWindow(): Promise<void> {
    const room = Math.min(this.total - this.taskIds.length, this.window - (this.taskIds.length - this.approved.size));
    const numbers = Array.from({ length: Math.max(0, room) }, (_, k) => this.taskIds.length + k);
    const taskIds = await Promise.all(numbers.map((n) => this.submit(n)));
    this.taskIds.push(...taskIds.filter((id): id is string => id !== undefined));
  }

  private tally(status: number): void {
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
    if (status === 503) this.unavailable += 1;
  }

  /** The new task's id; undefined when the service answered 503 (nothing created: the next round submits again). */
  private async submit(n: number): Promise<string | undefined> {
    const requester = REQUESTERS[n % REQUESTERS.length] ?? 'alice';
    const response = await this.api.post<{ taskId: string }>(requester, '/api/tasks', { title: `Backlog trends #${n}`, description: COMPLETE_ANSWER });
    this.tally(response.status);
    if (response.status === 503) return undefined;
    if (response.status !== 202) throw new Error(`bot: submit refused with ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.taskId;
  }

  private async approveNotified(): Promise<void> {
    const { status, body } = await this.api.get<{ notifications: NotificationView[] }>('bob', '/api/notifications');
    this.tally(status);
    if (status === 503) return;
    if (status !== 200) throw new Error(`bot: inbox read refused with ${status}: ${JSON.stringify(body)}`);
    const mine = new Set(this.taskIds);
    const due = body.notifications.filter((n) => n.kind === 'prd-ready-for-review' && mine.has(n.taskId) && !this.approved.has(n.taskId));
    await Promise.all(
      due.map(async (notification) => {
        const response = await this.api.post('bob', `/api/tasks/${notification.taskId}/approve`, { prdVersion: notification.prdVersion });
        this.tally(response.status);
        if (response.status === 202) this.approved.add(notification.taskId);
        else this.refused += 1;
      }),
    );
  }
}
