import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  /** Exactly the bytes that arrived: what a signature is verified over. */
  readonly rawBody: Buffer;
  readonly status: number;
}

/**
 * A webhook receiver on 127.0.0.1: answers each request with the status `answer` gives for it
 * (0-based request number) and keeps what arrived.
 */
export class WebhookReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly received: readonly ReceivedRequest[],
  ) {}

  static async start(answer: (requestNumber: number) => number): Promise<WebhookReceiver> {
    const received: ReceivedRequest[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const status = answer(received.length);
        received.push({ headers: request.headers, rawBody: Buffer.concat(chunks), status });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/refinery`, received);
  }

  /** This receiver's port (127.0.0.1). */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /**
   * The settings a service needs to send to receivers on 127.0.0.1: internal addresses allowed and
   * their ports listed (both refused by default).
   */
  static egressEnv(...receivers: WebhookReceiver[]): { WEBHOOK_ALLOW_INTERNAL: string; WEBHOOK_ALLOWED_PORTS: string } {
    return { WEBHOOK_ALLOW_INTERNAL: 'true', WEBHOOK_ALLOWED_PORTS: receivers.map((r) => r.port).join(',') };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
