export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads a text/event-stream response event by event (comments and `retry:` lines skipped). */
export class EventStreamReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    if (!response.body) throw new Error('the response has no body to stream');
    this.reader = response.body.getReader();
  }

  /** The next event, or undefined when the server ended the stream; fails after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<ServerSentEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.takeEvent();
      if (event) return event;
      const chunk = await withDeadline(this.reader.read(), deadline);
      if (chunk.done) return undefined;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Events until one satisfies `predicate` (which is returned). */
  async until(predicate: (event: ServerSentEvent) => boolean, timeoutMs = 10_000): Promise<ServerSentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (!event) throw new Error('the stream ended before the expected event');
      if (predicate(event)) return event;
    }
  }

  /** Whether the server ends the stream within `timeoutMs` (events before the end are skipped). */
  async ended(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.next(Math.max(1, deadline - Date.now()))) !== undefined);
    return true;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private takeEvent(): ServerSentEvent | undefined {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end === -1) return undefined;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const lines = block.split('\n');
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart());
      if (event !== undefined || data.length > 0) return { event: event ?? 'message', data: data.join('\n') };
    }
  }
}

/** Bounds a wait: rejects at the deadline instead of hanging the test. */
function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no server-sent event before the deadline')), Math.max(1, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
