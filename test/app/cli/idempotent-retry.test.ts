import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from '../../../src/app/container';
import { Api } from '../../support/api';
import { startTestApp } from '../../support/app';
import { runRefineryAs } from './support/run-cli';

/** What the proxy does with one request: pass it on, pass it on and drop the answer, or answer this status itself. */
type Plan = 'forward' | 'drop-answer' | number;

/**
 * An HTTP proxy in front of the service that follows a plan per POST it sees (then forwards),
 * recording each POST's Idempotency-Key: a lost answer is a request the service handled whose
 * response never reached the client (the connection is cut once the service has answered).
 */
class FlakyProxy {
  readonly posts: Array<{ path: string; key: string | undefined; plan: Plan }> = [];
  private plans: Plan[] = [];
  private server: Server | undefined;

  constructor(private readonly upstream: URL) {}

  plan(...plans: Plan[]): void {
    this.plans = plans;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const plan = req.method === 'POST' ? (this.plans.shift() ?? 'forward') : 'forward';
    if (req.method === 'POST') this.posts.push({ path: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined, plan });
    if (typeof plan === 'number') {
      req.resume();
      res.writeHead(plan, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unavailable', message: 'proxy says no' }));
      return;
    }
    const upstream = httpRequest(
      { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (plan === 'drop-answer') {
          // The service has answered (so it has done the work): the client never hears of it.
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  }
}

describe('refinery retries a POST whose outcome it does not know, with the same Idempotency-Key', () => {
  let app: Application;
  let api: Api;
  let proxy: FlakyProxy;
  let url: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    proxy = new FlakyProxy(new URL(await app.listen()));
    url = await proxy.start();
    api = new Api(app);
  }, 90_000);
  afterAll(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  const aliceTasks = async () => (await api.get<{ tasks: Array<{ taskId: string; title: string }> }>('alice', '/api/tasks')).body.tasks;
  const submit = (title: string) => runRefineryAs(url, 'alice', ['submit', '--title', title, '--description', 'Export the monthly invoices as CSV.']);

  it('creates one task when the first answer was lost after the service handled the submit', async () => {
    proxy.plan('drop-answer');
    const before = proxy.posts.length;
    const run = await submit('Lost answer');

    expect(run.code).toBe(0);
    const taskId = run.stdout.trim();
    const tasks = (await aliceTasks()).filter((t) => t.title === 'Lost answer');
    expect(tasks.map((t) => t.taskId)).toEqual([taskId]);
    const posts = proxy.posts.slice(before);
    expect(posts.map((p) => p.plan)).toEqual(['drop-answer', 'forward']);
    expect(posts[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]?.key).toBe(posts[0]?.key);
  });

  it('retries 502, 503 and 504 with the same key, and a new invocation sends a new key', async () => {
    proxy.plan(503, 502, 504);
    const before = proxy.posts.length;
    const run = await submit('Through an outage');
    expect(run.code).toBe(0);
    const posts = proxy.posts.slice(before);
    expect(posts.map((p) => p.plan)).toEqual([503, 502, 504, 'forward']);
    expect(new Set(posts.map((p) => p.key)).size).toBe(1);
    expect((await aliceTasks()).filter((t) => t.title === 'Through an outage')).toHaveLength(1);

    const next = await submit('Another request');
    expect(next.code).toBe(0);
    expect(proxy.posts.at(-1)?.key).not.toBe(posts[0]?.key);
  });

  it('does not retry a refusal (400)', async () => {
    const before = proxy.posts.length;
    const run = await runRefineryAs(url, 'alice', ['submit', '--title', 'x'.repeat(300), '--description', 'Too long a title.']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: rejected \(400\): title: /);
    expect(proxy.posts.length - before).toBe(1);
  });

  it('gives up after five attempts with a message saying the request may have been done', async () => {
    proxy.plan(503, 503, 503, 503, 503);
    const before = proxy.posts.length;
    const run = await submit('Never answered');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: server error \(503\): proxy says no \(gave up after 5 attempts with Idempotency-Key [0-9a-f-]{36}; the request may or may not have been done: look before running the command again\)\n$/,
    );
    expect(proxy.posts.length - before).toBe(5);
    expect((await aliceTasks()).filter((t) => t.title === 'Never answered')).toHaveLength(0);
  }, 30_000);
});
