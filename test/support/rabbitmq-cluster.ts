import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually';

const run = promisify(execFile);
/** Debian's rabbitmq-server package; /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user. */
const BIN = '/usr/lib/rabbitmq/bin';

export interface ClusterNode {
  /** Erlang node name, e.g. rit1@localhost. */
  readonly name: string;
  readonly amqpPort: number;
  readonly distPort: number;
  readonly url: string;
  /** `host:port`, as the service logs the node it is connected to. */
  readonly address: string;
  readonly dir: string;
}

export interface ClusterOptions {
  readonly size?: number;
  /** AMQP ports are basePort+1…, distribution ports basePort+20001… (5701-5703 and 25701-25703 by default). */
  readonly basePort?: number;
  /** Node names: `<namePrefix><n>@localhost`. */
  readonly namePrefix?: string;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A RabbitMQ cluster of its own on this machine, for tests: each node has its own name, AMQP and
 * distribution ports, data and log folders under one temporary folder, and the management plugin
 * off; they share an Erlang cookie (a HOME of their own) and are joined with `join_cluster`. The
 * machine's own broker (rabbit@localhost on 5672) is never touched: every rabbitmqctl call names
 * one of these nodes. `destroy()` stops every node (killing any that does not stop) and removes
 * the folder; erl_crash.dump, if any, lands in that folder too.
 */
export class RabbitMqCluster {
  private constructor(
    readonly nodes: readonly ClusterNode[],
    private readonly root: string,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<RabbitMqCluster> {
    const size = options.size ?? 3;
    const basePort = options.basePort ?? 5700;
    const namePrefix = options.namePrefix ?? 'rit';
    const root = await mkdtemp(join(tmpdir(), 'refinery-rabbit-cluster-'));
    const nodes = Array.from({ length: size }, (_, i): ClusterNode => {
      const amqpPort = basePort + i + 1;
      return {
        name: `${namePrefix}${i + 1}@localhost`,
        amqpPort,
        distPort: amqpPort + 20_000,
        url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
        address: `127.0.0.1:${amqpPort}`,
        dir: join(root, `node${i + 1}`),
      };
    });
    const cluster = new RabbitMqCluster(nodes, root);
    try {
      for (const node of nodes) {
        for (const port of [node.amqpPort, node.distPort]) {
          if (await portInUse(port)) throw new Error(`port ${port} is taken on 127.0.0.1: another cluster test running, or a node left over?`);
        }
      }
      await mkdir(join(root, 'home'));
      const cookie = join(root, 'home', '.erlang.cookie');
      await writeFile(cookie, randomBytes(24).toString('hex'));
      await chmod(cookie, 0o400);
      // Empty: the machine's /etc/rabbitmq/rabbitmq-env.conf would otherwise set NODENAME and more.
      await writeFile(join(root, 'rabbitmq-env.conf'), '');
      // No plugins at all (no management listener on 15672).
      await writeFile(join(root, 'enabled_plugins'), '[].\n');
      await Promise.all(nodes.map((node) => cluster.launch(node)));
      const [first, ...others] = nodes;
      if (!first) throw new Error('a cluster needs a node');
      for (const node of others) {
        await cluster.ctl(node, ['stop_app']);
        await cluster.ctl(node, ['join_cluster', first.name]);
        await cluster.ctl(node, ['start_app']);
      }
      await cluster.ctl(first, ['await_startup']);
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** Every node's URL, comma-separated: a RABBITMQ_URL. */
  urls(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  node(address: string): ClusterNode {
    const node = this.nodes.find((n) => n.address === address);
    if (!node) throw new Error(`no node of the cluster at ${address}`);
    return node;
  }

  /** rabbitmqctl against one node of this cluster, with its cookie. */
  async ctl(node: ClusterNode, args: readonly string[], timeoutMs = 60_000): Promise<string> {
    const { stdout } = await run(`${BIN}/rabbitmqctl`, ['-n', node.name, ...args], { env: this.env(), cwd: this.root, timeout: timeoutMs });
    return stdout;
  }

  /** Stops the whole Erlang node (not just the app): as a machine going away looks to clients. */
  async stopNode(node: ClusterNode): Promise<void> {
    await this.ctl(node, ['stop']);
  }

  /** The running nodes, as a node still up sees them. */
  async runningNodes(from: ClusterNode): Promise<string[]> {
    const status = JSON.parse(await this.ctl(from, ['cluster_status', '--formatter', 'json'])) as { running_nodes: string[] };
    return [...status.running_nodes].sort();
  }

  /** The members (node names, sorted) of every quorum queue, by queue name; a classic queue has none. */
  async quorumMembers(from: ClusterNode): Promise<Record<string, string[]>> {
    const rows = JSON.parse(await this.ctl(from, ['list_queues', 'name', 'members', '--formatter', 'json'])) as { name: string; members?: unknown }[];
    return Object.fromEntries(rows.map((row) => [row.name, Array.isArray(row.members) ? row.members.map(String).sort() : []]));
  }

  async destroy(): Promise<void> {
    for (const node of this.nodes) {
      await this.ctl(node, ['stop'], 30_000).catch(() => undefined);
      const pid = Number((await readFile(join(node.dir, 'pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    await rm(this.root, { recursive: true, force: true });
  }

  private env(node?: ClusterNode): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(this.root, 'home'),
      RABBITMQ_CONF_ENV_FILE: join(this.root, 'rabbitmq-env.conf'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ...(node
        ? {
            RABBITMQ_NODENAME: node.name,
            RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
            RABBITMQ_NODE_PORT: String(node.amqpPort),
            RABBITMQ_DIST_PORT: String(node.distPort),
            RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
            RABBITMQ_LOG_BASE: join(node.dir, 'log'),
            RABBITMQ_PID_FILE: join(node.dir, 'pid'),
            RABBITMQ_ENABLED_PLUGINS_FILE: join(this.root, 'enabled_plugins'),
            RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
            ERL_CRASH_DUMP: join(node.dir, 'erl_crash.dump'),
          }
        : {}),
    };
  }

  private async launch(node: ClusterNode): Promise<void> {
    await mkdir(node.dir, { recursive: true });
    await writeFile(join(node.dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${node.amqpPort}\n`);
    await run(`${BIN}/rabbitmq-server`, ['-detached'], { env: this.env(node), cwd: node.dir, timeout: 30_000 });
    // -detached returns before the node registers with epmd: await_startup fails until it has.
    await eventually(() => this.ctl(node, ['await_startup'], 30_000), { timeoutMs: 60_000, intervalMs: 250 });
  }
}
