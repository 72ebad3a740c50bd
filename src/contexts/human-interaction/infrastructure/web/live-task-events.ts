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

/** How many streams may be open at once; beyond, `full` names the cap and the route answers 429. */
export interface LiveStreamLimits {
  readonly perSession: number;
  readonly perPerson: number;
  readonly total: number;
}

export interface LiveTaskEventsOptions {
  /** Re-read the task this often even without a signal: another process may have changed it. */
  readonly recheckMs: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  readonly heartbeatMs: number;
  readonly limits?: LiveStreamLimits;
}

/** Who watches: their sign-in and themselves (what the caps count), and whether they still may. */
export interface LiveViewer {
  readonly sessionId: string;
  readonly userId: string;
  /** Checked at every re-check: false (signed out, token revoked, session expired) ends the stream. */
  readonly stillSignedIn: () => Promise<boolean>;
}

interface Stream {
  readonly res: ServerResponse;
  readonly read: () => Promise<LiveState | undefined>;
  readonly viewer: LiveViewer | undefined;
  last: string | undefined;
  closed: boolean;
}

/** Every stream of one task, and the one re-check and heartbeat they share. */
interface TaskWatch {
  readonly streams: Set<Stream>;
  readonly checks: BackgroundLoop<unknown>;
  readonly heartbeat: BackgroundLoop<unknown>;
  readonly stopListening: () => void;
}

const NO_LIMITS: LiveStreamLimits = { perSession: Number.POSITIVE_INFINITY, perPerson: Number.POSITIVE_INFINITY, total: Number.POSITIVE_INFINITY };

/**
 * Server-sent events for open task pages. Each stream sends the task's state once on connect (a
 * read as its viewer) and again whenever it changes. The streams of one task share one re-check:
 * woken at once by TaskViewChanges (a commit in this process) and every `recheckMs`, it checks
 * each viewer's sign-in (cheap; a failed one ends that stream), reads the task once (as one of its
 * viewers) and sends a changed state to every stream of the task; so a thousand open pages of one
 * task cost one task read per re-check, not a thousand. Streams are capped per sign-in, per person
 * and in all (`limits`), and tracked so that stopping the service ends them (an open stream would
 * otherwise keep the HTTP server from closing).
 */
export class LiveTaskEvents {
  private readonly streams = new Set<Stream>();
  private readonly watches = new Map<string, TaskWatch>();
  private readonly perSession = new Map<string, number>();
  private readonly perPerson = new Map<string, number>();
  private readonly limits: LiveStreamLimits;

  constructor(
    private readonly changes: TaskViewChanges,
    private readonly logger: Logger,
    private readonly options: LiveTaskEventsOptions,
  ) {
    this.limits = options.limits ?? NO_LIMITS;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** How many tasks have a shared re-check running (one per task however many watch it). */
  get watchedTasks(): number {
    return this.watches.size;
  }

  /** Which cap one more stream of this viewer would pass, or undefined when it may open one. */
  full(viewer: Pick<LiveViewer, 'sessionId' | 'userId'>): 'session' | 'person' | 'total' | undefined {
    if ((this.perSession.get(viewer.sessionId) ?? 0) >= this.limits.perSession) return 'session';
    if ((this.perPerson.get(viewer.userId) ?? 0) >= this.limits.perPerson) return 'person';
    if (this.streams.size >= this.limits.total) return 'total';
    return undefined;
  }

  /** Takes the response over; `read` returns the state now, or undefined when the viewer may no longer see it. */
  stream(reply: FastifyReply, taskId: string, headers: Record<string, string>, read: () => Promise<LiveState | undefined>, viewer?: LiveViewer): void {
    reply.hijack();
    const res = reply.raw;
    // The server's idle timeout (HTTP_CONNECTION_TIMEOUT_MS) is for requests; a stream is bounded by its checks and heartbeat.
    res.socket?.setTimeout(0);
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const stream: Stream = { res, read, viewer, last: undefined, closed: false };
    this.add(stream);
    const watch = this.watchOf(taskId);
    watch.streams.add(stream);
    res.on('close', () => {
      stream.closed = true;
      watch.streams.delete(stream);
      this.remove(stream);
      if (watch.streams.size === 0 && this.watches.get(taskId) === watch) this.unwatch(taskId, watch);
    });
    // Its own first read, at once: the state as this viewer may see it.
    void this.readFor(stream, taskId);
  }

  /** Ends every open stream (the service is stopping); browsers reconnect to whichever process serves them next. */
  closeAll(): void {
    for (const stream of [...this.streams]) {
      stream.res.end();
      stream.res.destroy();
    }
    this.streams.clear();
    this.perSession.clear();
    this.perPerson.clear();
    for (const [taskId, watch] of [...this.watches]) this.unwatch(taskId, watch);
  }

  private async readFor(stream: Stream, taskId: string): Promise<void> {
    try {
      const state = await stream.read();
      if (stream.closed) return;
      if (!state) stream.res.end();
      else this.send(stream, state);
    } catch (error) {
      if (!stream.closed) this.logger.warn({ err: error, taskId }, 'live task page: reading the task failed; the next check retries');
    }
  }

  private send(stream: Stream, state: LiveState): void {
    if (stream.closed || state.stamp === stream.last) return;
    stream.last = state.stamp;
    stream.res.write(`event: task\ndata: ${JSON.stringify(state)}\n\n`);
  }

  /** The shared re-check of one task: each viewer's sign-in, then one read, sent to every stream whose state differs. */
  private async check(taskId: string, watch: TaskWatch): Promise<void> {
    await Promise.all(
      [...watch.streams].map(async (stream) => {
        if (!stream.viewer || (await stream.viewer.stillSignedIn().catch(() => true))) return;
        if (!stream.closed) stream.res.end();
      }),
    );
    // One read, as the first viewer who may still see the task; one who may not is ended.
    for (const stream of [...watch.streams]) {
      if (gone(stream)) continue;
      try {
        const state = await stream.read();
        if (gone(stream)) continue; // closed while it read
        if (!state) {
          stream.res.end();
          continue;
        }
        for (const other of watch.streams) if (!other.res.writableEnded) this.send(other, state);
      } catch (error) {
        this.logger.warn({ err: error, taskId }, 'live task page: reading the task failed; the next check retries');
      }
      return;
    }
  }

  private watchOf(taskId: string): TaskWatch {
    const existing = this.watches.get(taskId);
    if (existing) return existing;
    const streams = new Set<Stream>();
    // Sleeps first: each stream reads once on its own when it opens.
    const watch: TaskWatch = {
      streams,
      checks: new BackgroundLoop(
        { name: 'live task page', intervalMs: this.options.recheckMs, sleepFirst: true, pass: async () => (await this.check(taskId, watch), 'idle') },
        this.logger,
      ),
      heartbeat: new BackgroundLoop(
        {
          name: 'live task page heartbeat',
          intervalMs: this.options.heartbeatMs,
          sleepFirst: true,
          pass: async () => {
            for (const stream of streams) if (!stream.res.writableEnded) stream.res.write(': keep-alive\n\n');
            return 'idle';
          },
        },
        this.logger,
      ),
      stopListening: this.changes.subscribe(taskId, () => watch.checks.kick()),
    };
    this.watches.set(taskId, watch);
    watch.checks.start();
    watch.heartbeat.start();
    return watch;
  }

  private unwatch(taskId: string, watch: TaskWatch): void {
    this.watches.delete(taskId);
    watch.stopListening();
    void watch.checks.stop();
    void watch.heartbeat.stop();
  }

  private add(stream: Stream): void {
    this.streams.add(stream);
    if (!stream.viewer) return;
    this.perSession.set(stream.viewer.sessionId, (this.perSession.get(stream.viewer.sessionId) ?? 0) + 1);
    this.perPerson.set(stream.viewer.userId, (this.perPerson.get(stream.viewer.userId) ?? 0) + 1);
  }

  private remove(stream: Stream): void {
    if (!this.streams.delete(stream) || !stream.viewer) return;
    decrement(this.perSession, stream.viewer.sessionId);
    decrement(this.perPerson, stream.viewer.userId);
  }
}

/** Closed by the browser or ended by a check (a function: the stream changes between awaits). */
function gone(stream: Stream): boolean {
  return stream.closed || stream.res.writableEnded;
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
