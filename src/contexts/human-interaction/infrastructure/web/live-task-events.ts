import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { BackgroundLoop } from '../../../../shared/kernel/background-loop';
import type { Logger } from '../../../../shared/logging/logger';
import type { TaskViewChanges } from '../../application/task-view-changes';

/** What the live script compares: the stamp changes whenever the page's live section would. */
export interface LiveState {
  readonly stamp: string;
  readonly status: string;
  readonly version: number;
}

export interface LiveTaskEventsOptions {
  /** Re-read the task this often even without a signal: another process may have changed it. */
  readonly recheckMs: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  readonly heartbeatMs: number;
}

/**
 * Server-sent events for open task pages. Each stream sends the task's state once on connect and
 * again whenever it changes: woken at once by TaskViewChanges (a commit in this process), and by a
 * periodic re-check. Streams are tracked so that stopping the service ends them (an open stream
 * would otherwise keep the HTTP server from closing).
 */
export class LiveTaskEvents {
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly changes: TaskViewChanges,
    private readonly logger: Logger,
    private readonly options: LiveTaskEventsOptions,
  ) {}

  get openStreams(): number {
    return this.streams.size;
  }

  /** Takes the response over; `read` returns the state now, or undefined when the viewer may no longer see it. */
  stream(reply: FastifyReply, taskId: string, headers: Record<string, string>, read: () => Promise<LiveState | undefined>): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    let last: string | undefined;
    let closed = false;

    const check = async (): Promise<void> => {
      try {
        const state = await read();
        if (closed) return;
        if (!state) {
          res.end();
          return;
        }
        if (state.stamp !== last) {
          last = state.stamp;
          res.write(`event: task\ndata: ${JSON.stringify(state)}\n\n`);
        }
      } catch (error) {
        if (!closed) this.logger.warn({ err: error, taskId }, 'live task page: reading the task failed; the next check retries');
      }
    };

    // Checks at once, then at every signal (one that comes during a check gets one more check)
    // and every recheckMs; a failed read waits for the next of these, not for a backoff.
    const checks = new BackgroundLoop({ name: 'live task page', intervalMs: this.options.recheckMs, pass: async () => (await check(), 'idle') }, this.logger);
    const heartbeat = new BackgroundLoop(
      { name: 'live task page heartbeat', intervalMs: this.options.heartbeatMs, sleepFirst: true, pass: async () => (res.write(': keep-alive\n\n'), 'idle') },
      this.logger,
    );
    const stopListening = this.changes.subscribe(taskId, () => checks.kick());
    const cleanUp = () => {
      closed = true;
      void checks.stop();
      void heartbeat.stop();
      stopListening();
      this.streams.delete(res);
    };
    res.on('close', cleanUp);
    this.streams.add(res);
    checks.start();
    heartbeat.start();
  }

  /** Ends every open stream (the service is stopping); browsers reconnect to whichever process serves them next. */
  closeAll(): void {
    for (const res of [...this.streams]) {
      res.end();
      res.destroy();
    }
    this.streams.clear();
  }
}
