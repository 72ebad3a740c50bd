import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
// The same on-require swc compile the fault tests' children use: the child runs the code under test, unbuilt.
const REGISTER = join(ROOT, 'test', 'faults', 'support', 'swc-register.js');
const MAIN = join(ROOT, 'src', 'app', 'main.ts');

/**
 * `src/app/main.ts` in a child OS process with the given environment (e.g. a CONTEXTS subset):
 * the service as `node dist/src/app/main.js` runs it. `ready` resolves with the address it
 * listens on once it printed it (it subscribed and started its loops before that).
 */
export class ServiceProcess {
  private output = '';
  private readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly ready: Promise<string>;

  private constructor(private readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    this.ready = new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const listening = /Refinery is listening on (\S+) /.exec(stdout);
        if (listening?.[1]) resolve(listening[1]);
      });
      void this.exited.then((how) => reject(new Error(`service process ${child.pid} exited (${String(how)}) before it listened: ${this.output}`)));
    });
    this.ready.catch(() => undefined);
  }

  static start(env: Record<string, string>): ServiceProcess {
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    return new ServiceProcess(child);
  }

  /** What it wrote to stderr (its log lines, at the LOG_LEVEL it was given). */
  get log(): string {
    return this.output;
  }

  isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` (SIGTERM: a clean shutdown) and waits for the process to end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<NodeJS.Signals | number | null> {
    if (this.isRunning()) this.child.kill(signal);
    return this.exited;
  }
}
