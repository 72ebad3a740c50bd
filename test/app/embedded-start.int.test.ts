import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileOf } from '../../src/shared/persistence/pglite-lock';
import { TEST_LINK_SECRET, TEST_USERS } from '../support/app';
import { eventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';

const ROOT = join(__dirname, '..', '..');

/**
 * The embedded default as a new user runs it (no DATABASE_URL, no RABBITMQ_URL: PGlite in a
 * folder and the in-memory queue), in child OS processes. No external service is needed; these
 * are integration tests because they start several processes and `npm start` builds the project.
 */
describe('the embedded default, process by process', () => {
  let root: string;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'refinery-embedded-'));
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  const serviceEnv = (dataDir: string): Record<string, string> => ({
    PGLITE_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LINK_SECRET: TEST_LINK_SECRET,
    REFINERY_USERS: TEST_USERS.map((u) => `${u.id}:${u.roles.join('+')}:${u.token ?? ''}`).join(','),
    LOG_LEVEL: 'info',
  });
  const start = (name: string, dataDir: string): ServiceProcess => {
    const child = ServiceProcess.spawn(name, serviceEnv(dataDir));
    cleanups.push(() => child.stop('SIGKILL'));
    return child;
  };

  it('a second process on one PGlite directory exits non-zero naming it and the pid holding it; after the first is SIGKILLed a start takes the stale lock over', async () => {
    const dataDir = join(root, 'pgdata-lock');
    const first = start('first', dataDir);
    await first.listening;

    const second = start('second', dataDir);
    expect(await second.ended()).toBe(1);
    expect(second.tail()).toContain(`Refinery failed to start: the PGlite data directory ${dataDir} is in use by process ${first.pid}`);
    expect(first.isRunning()).toBe(true);

    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    expect(existsSync(lockFileOf(dataDir))).toBe(true); // nothing removed it: it is stale now

    const third = start('third', dataDir);
    const url = await third.listening;
    expect(third.tail()).toContain(`took over the lock of PGlite data directory ${dataDir} from process ${first.pid}, which no longer runs`);
    expect((await fetch(`${url}/ready`)).status).toBe(200);

    expect(await third.stop('SIGTERM')).toBe(0);
    expect(existsSync(lockFileOf(dataDir))).toBe(false); // a clean exit removes it
  }, 120_000);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the `npm start` process reaches the service: it logs "stopped", the port closes and npm exits 0',
    async (signal) => {
      const npm = spawn('npm', ['start'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), ...serviceEnv(join(root, `pgdata-${signal}`)) },
      });
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const exited = new Promise<number | string | null>((resolve) => npm.once('exit', (code, how) => resolve(how ?? code)));
      // Whatever happens, the service itself does not outlive the test (its pid is in its log lines).
      cleanups.push(async () => {
        npm.kill('SIGKILL');
        const pid = /"pid":(\d+)/.exec(output)?.[1];
        if (pid) killQuietly(Number(pid));
      });

      const url = await eventually(
        () => {
          const found = /Refinery is listening on (\S+) /.exec(output)?.[1];
          if (!found) throw new Error(`npm start has not listened yet:\n${output.slice(-2_000)}`);
          return found;
        },
        { timeoutMs: 240_000, intervalMs: 200 },
      );
      expect((await fetch(`${url}/health`)).status).toBe(200);

      expect(npm.kill(signal)).toBe(true);

      expect(await exited).toBe(0);
      expect(output).toContain(`"signal":"${signal}","msg":"shutting down: draining in-flight work"`);
      expect(output).toContain('"msg":"stopped"');
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    },
    300_000,
  );
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
