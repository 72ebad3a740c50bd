import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const REGISTER = join(__dirname, 'swc-register.js');
const ENTRY = join(__dirname, 'effect-consumer.child.ts');

export interface ConsumerProcessOptions {
  readonly rabbitmqUrl: string;
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly consumer: string;
  readonly handleMs: number;
  readonly prefetch: number;
}

/** A spawned effect-consumer.child.ts; `ready` resolves once it consumes. */
export class ConsumerProcess {
  private stderr = '';
  private readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly ready: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    this.ready = new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.split('\n').includes('ready')) resolve();
      });
      void this.exited.then((how) => reject(new Error(`consumer process ${child.pid} exited (${String(how)}) before it was ready: ${this.stderr}`)));
    });
    // Who awaits `ready` still sees the rejection; a process killed later must not raise an unhandled one.
    this.ready.catch(() => undefined);
  }

  static spawn(options: ConsumerProcessOptions): ConsumerProcess {
    const child = spawn(process.execPath, ['-r', REGISTER, ENTRY], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FAULT_RABBITMQ_URL: options.rabbitmqUrl,
        FAULT_DATABASE_URL: options.databaseUrl,
        FAULT_PREFIX: options.prefix,
        FAULT_CONSUMER: options.consumer,
        FAULT_HANDLE_MS: String(options.handleMs),
        FAULT_PREFETCH: String(options.prefetch),
      },
    });
    return new ConsumerProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get errors(): string {
    return this.stderr;
  }

  isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and waits for the process to end; returns how it ended. */
  async stop(signal: NodeJS.Signals): Promise<NodeJS.Signals | number | null> {
    if (this.isRunning()) this.child.kill(signal);
    return this.exited;
  }
}
