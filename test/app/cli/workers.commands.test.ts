import type { Application } from '../../../src/app/container';
import { age, formatWorkersTable } from '../../../src/app/cli/workers.commands';
import { silentLogger } from '../../../src/shared/logging/logger';
import { WorkCounter } from '../../../src/shared/workers/work-counter';
import { WorkerRegistry } from '../../../src/shared/workers/worker-registry';
import { startTestApp } from '../../support/app';
import { eventually } from '../../support/eventually';
import { runRefineryAs as cli } from './support/run-cli';

const GONE_ID = 'elsewhere/4242/0badc0de';

describe('refinery workers', () => {
  let app: Application;
  let url: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0', WORKER_HEARTBEAT_MS: '100', WORKER_LEASE_MS: '400' } });
    url = await app.listen();
    // Another instance that dies without deregistering: the service's sweep marks it gone.
    const other = new WorkerRegistry(
      { contexts: ['product-definition'], heartbeatMs: 100, leaseMs: 400 },
      {
        dataSource: app.database.dataSource,
        logger: silentLogger(),
        instance: { id: GONE_ID, host: 'elsewhere', pid: 4242, version: '0.0.9' },
        load: () => new WorkCounter(),
        releasers: [],
      },
    );
    await other.start();
    await other.loop.stop();
    await eventually(
      async () => {
        const run = await cli(url, 'root', ['workers', '--json']);
        expect((JSON.parse(run.stdout) as { workers: Array<{ id: string; status: string }> }).workers).toContainEqual(
          expect.objectContaining({ id: GONE_ID, status: 'gone' }),
        );
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }, 90_000);
  afterAll(() => app?.stop());

  it('prints the registry as a table: live first, then gone, and a count by status', async () => {
    const run = await cli(url, 'root', ['workers']);
    expect(run).toMatchObject({ code: 0, stderr: '', requests: 1 });
    const [header, live, gone, total] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+CONTEXTS\s+VERSION\s+STARTED\s+HEARTBEAT\s+IN FLIGHT\s+HANDLED$/);
    expect(live?.split(/\s{2,}/)).toEqual([
      app.workers.id,
      'live',
      'task-management,orchestration,product-definition,human-interaction',
      expect.stringMatching(/^\d+\.\d+\.\d+/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expect.stringMatching(/^(\d+ms|\d+\.\ds) ago$/),
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+$/),
    ]);
    expect(gone?.split(/\s{2,}/)).toEqual([
      GONE_ID,
      'gone',
      'product-definition',
      '0.0.9',
      expect.stringMatching(/Z$/),
      expect.stringMatching(/^(\d+ms|\d+\.\d+s) ago$/),
      '0',
      '0',
    ]);
    expect(total).toBe('2 workers: 1 live, 1 gone');
  });

  it('--status shows only those workers; --json prints the fields the server sent', async () => {
    const gone = await cli(url, 'root', ['workers', '--status', 'gone']);
    expect(gone.stdout.trimEnd().split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`^${GONE_ID}\\s+gone\\s`)), '1 worker: 1 gone']);
    const json = await cli(url, 'root', ['workers', '--json', '--status', 'live']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      workers: [
        expect.objectContaining({
          id: app.workers.id,
          status: 'live',
          host: expect.any(String),
          pid: process.pid,
          leaseMs: 400,
          goneAt: null,
          releasedContexts: [],
        }),
      ],
    });
    expect((await cli(url, 'root', ['workers', '--status', 'draining'])).stdout).toBe('no registered workers\n');
  });

  it('exits 3 for anyone but an admin, and 2 for a status it does not know', async () => {
    expect(await cli(url, 'alice', ['workers'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'error: forbidden (403): the worker registry needs the admin role\n',
      requests: 1,
    });
    const bad = await cli(url, 'root', ['workers', '--status', 'dead']);
    expect(bad).toMatchObject({ code: 2, requests: 0 });
    expect(bad.stderr).toMatch(/--status <status>' argument 'dead' is invalid/);
  });

  it('writes heartbeat ages the way people read them', () => {
    expect([age(850), age(4_200), age(185_000), age(7_300_000)]).toEqual(['850ms', '4.2s', '3m', '2h']);
    expect(formatWorkersTable([])).toBe('no registered workers\n');
  });
});
