import { z } from 'zod';

export const notificationSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  taskVersion: z.number(),
  kind: z.string(),
  questions: z.array(z.string()).nullable().optional(),
  prdVersion: z.number().nullable().optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const transitionSchema = z.object({ from: z.string().nullable(), to: z.string(), version: z.number(), at: z.string(), actor: z.string() });
export type Transition = z.infer<typeof transitionSchema>;

export const taskDetailsSchema = z.object({
  task: z.object({ taskId: z.string(), status: z.string(), version: z.number(), prdVersion: z.number().nullable() }),
  history: z.array(transitionSchema),
  prdVersions: z.array(z.number()),
});
export type TaskDetails = z.infer<typeof taskDetailsSchema>;

const submitted = z.object({ taskId: z.string() });
const notifications = z.object({ notifications: z.array(notificationSchema) });
const deadLetters = z.object({ deadLetters: z.array(z.object({ consumer: z.string().optional(), type: z.string().optional() }).loose()) });

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly route: string,
    body: string,
  ) {
    super(`${route} answered ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * The public HTTP API as the bot's people use it: real sockets (keep-alive), bearer tokens,
 * zod-checked answers. Counts its requests, since each read costs the service a transaction.
 */
export class RefineryClient {
  private readonly counts = new Map<string, number>();

  constructor(readonly baseUrl: string) {}

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async submit(token: string, title: string, description: string): Promise<string> {
    return submitted.parse(await this.call('submit', token, 'POST', '/api/tasks', { title, description })).taskId;
  }

  async notifications(token: string): Promise<Notification[]> {
    return notifications.parse(await this.call('notifications', token, 'GET', '/api/notifications')).notifications;
  }

  async task(token: string, taskId: string): Promise<TaskDetails> {
    return taskDetailsSchema.parse(await this.call('task', token, 'GET', `/api/tasks/${encodeURIComponent(taskId)}`));
  }

  async approve(token: string, taskId: string, prdVersion: number): Promise<void> {
    await this.call('approve', token, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/approve`, { prdVersion });
  }

  async answer(token: string, taskId: string, answers: ReadonlyArray<{ question: string; answer: string }>): Promise<void> {
    await this.call('answer', token, 'POST', `/api/tasks/${encodeURIComponent(taskId)}/answers`, { answers });
  }

  async deadLetterCount(adminToken: string): Promise<number> {
    return deadLetters.parse(await this.call('dead-letters', adminToken, 'GET', '/admin/dead-letters')).deadLetters.length;
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.baseUrl}/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200;
    } catch {
      return false;
    }
  }

  /** Prometheus text of the process's message queue. */
  async metrics(): Promise<string> {
    const response = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return response.text();
  }

  private async call(name: string, token: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status >= 300) throw new HttpStatusError(response.status, `${method} ${route}`, text);
    return text ? (JSON.parse(text) as unknown) : {};
  }
}
