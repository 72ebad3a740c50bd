import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { cpuSeconds, peakRssBytes } from './proc-status';
import { RefineryClient } from './refinery-client';
import type { ServiceProcess, ServiceTarget, StopOutcome } from './service-target';

/** One process per context, plus a second product-definition process competing for the same work. */
export const SPLIT_LAYOUT: ReadonlyArray<{ readonly name: string; readonly context: string }> = [
  { name: 'task-management', context: 'task-management' },
  { name: 'orchestration', context: 'orchestration' },
  { name: 'product-definition-1', context: 'product-definition' },
  { name: 'product-definition-2', context: 'product-definition' },
  { name: 'human-interaction', context: 'human-interaction' },
];

/** The service's entry point as `npm start` runs it, built by the same compile as the bench. */
const MAIN = resolve(__dirname, '..', '..', 'src', 'app', 'main.js');

interface Child extends ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly log: WriteStream;
  readonly logFile: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function spawnOne(name: string, context: string, env: Readonly<Record<string, string>>, logDirectory: string): Promise<Child> {
  const port = await freePort();
  const logFile = join(logDirectory, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...env, CONTEXTS: context, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  running.add(child);
  const exited = new Promise<number | string>((done) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      done(code ?? signal ?? 'unknown');
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  return { name, pid: child.pid, url: `http://127.0.0.1:${port}`, contexts: [context], child, exited, log, logFile };
}

async function awaitReady(process_: Child, deadline: number): Promise<void> {
  const client = new RefineryClient(process_.url);
  let exit: number | string | undefined;
  void process_.exited.then((code) => (exit = code));
  while (!(await client.ready())) {
    if (exit !== undefined) throw new Error(`${process_.name} exited (${exit}) before it was ready:\n${tail(process_.logFile)}`);
    if (Date.now() > deadline) throw new Error(`${process_.name} not ready in time:\n${tail(process_.logFile)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Children still running when the bench exits (even through process.exit) are killed, never orphaned. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Stops children with SIGTERM, escalating to SIGKILL after `graceMs` (recorded as such). */
async function stopAll(children: readonly Child[], graceMs: number): Promise<StopOutcome[]> {
  return Promise.all(
    children.map(async (c) => {
      const started = Date.now();
      c.child.kill('SIGTERM');
      const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
      const exit = await c.exited;
      clearTimeout(timer);
      c.log.end();
      return { name: c.name, pid: c.pid, exit, stopMs: Date.now() - started };
    }),
  );
}

/**
 * Split mode: `node dist/src/app/main.js` once per entry of SPLIT_LAYOUT, all on the same database
 * and broker prefix, each on its own port. Resolves once every one answers /ready; if one fails to
 * start, the others are stopped and the error carries its log's tail.
 */
export async function startProcessFleet(env: Readonly<Record<string, string>>, readyWithinMs: number): Promise<ServiceTarget> {
  const logDirectory = mkdtempSync(join(tmpdir(), 'refinery-bench-'));
  const children: Child[] = [];
  try {
    for (const { name, context } of SPLIT_LAYOUT) children.push(await spawnOne(name, context, env, logDirectory));
    const deadline = Date.now() + readyWithinMs;
    await Promise.all(children.map((c) => awaitReady(c, deadline)));
  } catch (error) {
    await stopAll(children, 5_000);
    throw error;
  }
  const cpuAtReady = new Map(children.map((c) => [c.pid, cpuSeconds(c.pid) ?? 0]));
  const api = children.find((c) => c.contexts.includes('human-interaction'));
  if (!api) throw new Error('the layout has no human-interaction process');

  return {
    processes: children.map(({ name, pid, url, contexts }) => ({ name, pid, url, contexts })),
    apiUrl: api.url,
    logDirectory,
    usage: async () =>
      children.map((c) => ({
        name: c.name,
        pid: c.pid,
        peakRssBytes: peakRssBytes(c.pid) ?? 0,
        cpuSeconds: (cpuSeconds(c.pid) ?? 0) - (cpuAtReady.get(c.pid) ?? 0),
      })),
    // The processes declared their own topology; the caller lists it from the broker by prefix.
    stop: async () => ({ outcomes: await stopAll(children, 30_000), topology: { queues: [], exchanges: [] } }),
  };
}

export interface LogProblems {
  /** Lines at warn level or above. */
  readonly count: number;
  /** Lines at error level or above. */
  readonly errors: number;
  /** How often each message occurred: enough to tell a start-up race from a real fault. */
  readonly byMessage: Record<string, number>;
}

const lineSchema = z.object({ level: z.number(), msg: z.string().optional() }).loose();

/** Warning and error lines (pino levels 40 and up) in each process's log. */
export function logProblems(logDirectory: string, names: readonly string[]): Record<string, LogProblems> {
  return Object.fromEntries(
    names.map((name) => {
      let lines: string[] = [];
      try {
        lines = readFileSync(join(logDirectory, `${name}.log`), 'utf8').split('\n');
      } catch {
        // No log: the process never started, which the caller already reported.
      }
      const byMessage: Record<string, number> = {};
      let count = 0;
      let errors = 0;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        let parsed: z.infer<typeof lineSchema>;
        try {
          parsed = lineSchema.parse(JSON.parse(line));
        } catch {
          continue;
        }
        if (parsed.level < 40) continue;
        count += 1;
        if (parsed.level >= 50) errors += 1;
        const key = parsed.msg ?? '(no message)';
        byMessage[key] = (byMessage[key] ?? 0) + 1;
      }
      return [name, { count, errors, byMessage }];
    }),
  );
}
