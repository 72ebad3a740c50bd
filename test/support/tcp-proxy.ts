import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL, RabbitMQ), for fault tests: the
 * service is given the proxy's address, and the test cuts the path as an outage looks from the
 * service (every open connection reset, new ones refused) and restores it, without touching the
 * server itself. The port stays the same across cuts, so the service's URL stays valid.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private accepted = 0;
  private reset = 0;

  private constructor(
    private readonly target: { readonly host: string; readonly port: number },
    readonly port: number,
  ) {}

  /**
   * A proxy to `target`. With `listening: false` it has its port but refuses connections until
   * `restore()` (a dependency that is down when the service starts).
   */
  static async start(target: { readonly host: string; readonly port: number }, options: { readonly listening?: boolean } = {}): Promise<TcpProxy> {
    const port = await freePort();
    const proxy = new TcpProxy(target, port);
    if (options.listening ?? true) await proxy.restore();
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's (credentials, path and query kept). */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Connections accepted and connections reset by cuts, so far. */
  stats(): { readonly accepted: number; readonly reset: number; readonly open: number } {
    return { accepted: this.accepted, reset: this.reset, open: this.sockets.size };
  }

  /** Resets every open connection (both sides) and refuses new ones until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      this.reset += 1;
      socket.resetAndDestroy();
    }
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private pipe(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.target.port, this.target.host);
    const pair = [client, upstream];
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      // One side gone: the other goes too (a reset stays a reset, an end stays an end).
      socket.on('error', () => {
        for (const other of pair) other.destroy();
      });
      socket.on('close', () => this.sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
