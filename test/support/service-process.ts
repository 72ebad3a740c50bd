import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_LINK_SECRET, TEST_USERS } from './app';
import { RABBITMQ_URL } from './broker-admin';

const ROOT = join(__dirname, '..', '..');
// The on-require swc compile the fault tests' children use: the child runs the code under test, unbuilt.
const REGISTER = join(ROOT, 'test', 'faults', 'support', 'swc-register.js');
const MAIN = join(ROOT, 'src', 'app', 'main.ts');

/**
 * The service's own entry point (src/app/main.ts, compiled on require by swc as under jest) in a
 * child OS process, with the environment the test gives it: what `node dist/src/app/main.js`
 * runs, signals included. `listening` resolves once main.ts printed where it listens (after
 * start(): subscribed, loops running, registered).
 */
export class ServiceProcess {
  private output = '';
  private readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly listening: Promise<string>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    this.listening = new Promise<string>((resolve, reject) => {
      const look = () => {
        const url = /Refinery is listening on (\S+) /.exec(this.output)?.[1];
        if (url) resolve(url);
      };
      child.stdout?.on('data', look);
      void this.exited.then((how) => reject(new Error(`${name} (pid ${child.pid}) exited (${String(how)}) before it listened:\n${this.tail()}`)));
    });
    // Who awaits `listening` sees the rejection; a process killed later must not raise an unhandled one.
    this.listening.catch(() => undefined);
  }

  static spawn(name: string, env: Readonly<Record<string, string>>): ServiceProcess {
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    return new ServiceProcess(name, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid (it did not start)`);
    return this.child.pid;
  }

  isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it wrote (its JSON log and main.ts's banner), for failure messages. */
  tail(lines = 30): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Sends `signal` (if it still runs); returns how it ended, once it has. */
  async stop(signal: NodeJS.Signals): Promise<NodeJS.Signals | number | null> {
    if (this.isRunning()) this.child.kill(signal);
    return this.exited;
  }

  /** How it ended (resolves when it has). */
  ended(): Promise<NodeJS.Signals | number | null> {
    return this.exited;
  }
}

/**
 * What a child service process of a split-process test needs besides its own settings: the
 * test's database and broker prefix, no migrations (the test process ran them), an ephemeral
 * port, the test's link secret and users.
 */
export function childServiceEnv(databaseUrl: string, rabbitPrefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    RABBITMQ_URL,
    RABBITMQ_PREFIX: rabbitPrefix,
    RABBITMQ_QUEUE_TYPE: 'classic',
    MIGRATE_ON_START: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    LINK_SECRET: TEST_LINK_SECRET,
    REFINERY_USERS: TEST_USERS.map((u) => `${u.id}:${u.roles.join('+')}:${u.token ?? ''}`).join(','),
    LOG_LEVEL: 'warn',
  };
}
