import type { Options } from 'amqplib';

/** One broker node of `RABBITMQ_URL`, parsed once. */
interface BrokerNode {
  /** `host:port`, the only part of a node that is ever logged (never credentials). */
  readonly address: string;
  readonly connect: Options.Connect;
}

/** `host:port` of an amqp(s) URL, for logs and errors; undefined when it does not parse. */
export function brokerAddress(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') return undefined;
    return `${parsed.hostname || 'localhost'}:${parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672)}`;
  } catch {
    return undefined;
  }
}

/** The URLs of a comma-separated list (blanks dropped). */
export function splitBrokerUrls(urls: string | readonly string[]): string[] {
  return (typeof urls === 'string' ? urls.split(',') : [...urls]).map((url) => url.trim()).filter(Boolean);
}

function parseNode(url: string): BrokerNode {
  const parsed = new URL(url);
  const address = brokerAddress(url);
  if (!address) throw new Error(`not an amqp:// or amqps:// URL (${parsed.protocol})`);
  const query = parsed.searchParams;
  const int = (name: string) => (query.has(name) ? Number.parseInt(query.get(name) ?? '', 10) : undefined);
  // What amqplib reads from a string URL, as its object form (amqplib/lib/connect.js).
  const connect: Options.Connect = {
    protocol: parsed.protocol.slice(0, -1),
    hostname: parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'amqps:' ? 5671 : 5672,
    ...(parsed.username !== '' || parsed.password !== ''
      ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : {}),
    // Left escaped: amqplib unescapes the vhost itself.
    vhost: parsed.pathname.length > 1 ? parsed.pathname.slice(1) : '',
    ...(query.has('locale') ? { locale: query.get('locale') ?? undefined } : {}),
    ...(int('frameMax') !== undefined ? { frameMax: int('frameMax') } : {}),
    ...(int('heartbeat') !== undefined ? { heartbeat: int('heartbeat') } : {}),
    ...(int('channelMax') !== undefined ? { channelMax: int('channelMax') } : {}),
    ...(int('maxFrameSize') !== undefined ? { maxFrameSize: int('maxFrameSize') } : {}),
  };
  return { address, connect };
}

/**
 * The nodes of a cluster, tried in turn. amqplib's `connect` takes one URL and its recovery reopens
 * that same URL on every attempt; it reads the fields of an object URL anew on each attempt, so the
 * object `target()` returns delegates to the current node and `next()` moves it to the following one
 * (wrapping around): the connection rotates on a failed attempt and on a lost connection.
 */
export class BrokerNodes {
  private readonly nodes: readonly BrokerNode[];
  private index = 0;

  constructor(urls: string | readonly string[]) {
    const list = splitBrokerUrls(urls);
    if (list.length === 0) throw new Error('no RabbitMQ URL given');
    this.nodes = list.map((url, i) => {
      try {
        return parseNode(url);
      } catch (error) {
        // The URL itself is not echoed: it may hold a password.
        throw new Error(`RabbitMQ URL ${i + 1} of ${list.length} is invalid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    });
  }

  get size(): number {
    return this.nodes.length;
  }

  /** `host:port` of the node the next attempt goes to (or the current connection is on). */
  current(): string {
    return this.node().address;
  }

  /** Every node's `host:port`, for logs. */
  addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  private node(): BrokerNode {
    const node = this.nodes[this.index];
    if (!node) throw new Error('no RabbitMQ node');
    return node;
  }

  next(): void {
    this.index = (this.index + 1) % this.nodes.length;
  }

  /** The object URL handed to amqplib once: each read answers for the current node. */
  target(): Options.Connect {
    const field = <K extends keyof Options.Connect>(key: K) => ({ enumerable: true, get: () => this.node().connect[key] });
    const keys: (keyof Options.Connect)[] = [
      'protocol',
      'hostname',
      'port',
      'username',
      'password',
      'vhost',
      'locale',
      'frameMax',
      'heartbeat',
      'channelMax',
      'maxFrameSize',
    ];
    return Object.defineProperties<Options.Connect>({}, Object.fromEntries(keys.map((key) => [key, field(key)])));
  }
}
