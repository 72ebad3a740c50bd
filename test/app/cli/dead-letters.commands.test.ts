import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from '../../../src/app/container';
import type { DeadLetter } from '../../../src/shared/messaging/message-queue';
import { startTestApp, tokenOf } from '../../support/app';
import { type CliRun, runRefinery } from './support/run-cli';
import { COMMANDS, deadLetterAnApproval, deadLetterAnInvalidCancel, deadLetteredAgain } from '../support/dead-letter-fixtures';

const refinery = (argv: readonly string[], env: Record<string, string | undefined>, fetchImpl?: typeof fetch): Promise<CliRun> =>
  runRefinery(argv, { env, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

describe('refinery dead-letters, against a running service', () => {
  let app: Application;
  let env: Record<string, string>;
  const cli = (...argv: string[]) => refinery(argv, env);
  const ids = async () => (await app.queue.listDeadLetters(COMMANDS)).map((d) => d.id);

  beforeAll(async () => {
    app = await startTestApp();
    const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
    env = { REFINERY_URL: url, REFINERY_TOKEN: tokenOf('root') };
  }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
  afterAll(() => app?.stop());
  beforeEach(() => app.queue.purgeDeadLetters(COMMANDS));

  it('lists dead letters as a table: who, what, why, how often, when', async () => {
    const dead = await deadLetterAnApproval(app);
    const run = await cli('dead-letters', 'list');
    expect(run).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const [header, row, footer] = run.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['ID', 'CONSUMER', 'TYPE', 'ERROR', 'ATTEMPTS', 'FIRST FAILURE', 'LAST FAILURE']);
    const taskId = (dead.message as { payload: { taskId: string } }).payload.taskId;
    expect(row?.split(/\s{2,}/)).toEqual([
      dead.id,
      COMMANDS,
      'task-management.approve-prd.v1',
      `TaskNotFound: task ${taskId} does not exist`,
      '1',
      dead.firstFailedAt.replace(/\.\d+Z$/, 'Z'),
      dead.lastFailedAt.replace(/\.\d+Z$/, 'Z'),
    ]);
    expect(footer).toBe('1 dead letter');

    expect(await cli('dead-letters', 'list', '--consumer', 'orchestration.task-projection')).toEqual({ code: 0, stdout: 'no dead letters\n', stderr: '' });
  });

  it('prints JSON with --json, message included', async () => {
    const dead = await deadLetterAnApproval(app);
    const run = await cli('dead-letters', 'list', '--consumer', COMMANDS, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([JSON.parse(JSON.stringify(dead)) as DeadLetter]);
  });

  it('shows one dead letter in full, and says when there is none', async () => {
    const dead = await deadLetterAnInvalidCancel(app);
    const run = await cli('dead-letters', 'show', COMMANDS, dead.id);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^id: +${dead.id}$`, 'm'));
    expect(run.stdout).toMatch(/^error: +InvalidMessageError: invalid task-management\.cancel-task\.v1: .*userId/m);
    expect(run.stdout).toContain('"type": "task-management.cancel-task.v1"');

    const missing = await cli('dead-letters', 'show', COMMANDS, 'no-such-id');
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `error: not found (404): no dead letter no-such-id for consumer ${COMMANDS}\n` });
  });

  it('refuses to replay or purge without a selector, and changes nothing', async () => {
    const dead = await deadLetterAnApproval(app);
    for (const verb of ['replay', 'purge']) {
      expect(await cli('dead-letters', verb, COMMANDS)).toEqual({ code: 2, stdout: '', stderr: `error: ${verb} needs --id, --type or --all\n` });
      const conflicting = await cli('dead-letters', verb, COMMANDS, '--all', '--id', dead.id);
      expect(conflicting.code).toBe(2);
      expect(conflicting.stderr).toContain("option '--all' cannot be used with option '--id <id>'");
    }
    expect(await ids()).toEqual([dead.id]);
  });

  it('replays by id: the message is handled again (and, refused again, dead once more)', async () => {
    const dead = await deadLetterAnApproval(app);
    expect(await cli('dead-letters', 'replay', COMMANDS, '--id', dead.id)).toEqual({ code: 0, stdout: `replayed 1 dead letter of ${COMMANDS}\n`, stderr: '' });
    const again = await deadLetteredAgain(app, dead);
    expect(await ids()).toEqual([again.id]);
    expect(await cli('dead-letters', 'replay', COMMANDS, '--id', dead.id)).toEqual({ code: 0, stdout: `replayed 0 dead letters of ${COMMANDS}\n`, stderr: '' });
  });

  it('purges only with --yes; without it, shows what would go', async () => {
    const approval = await deadLetterAnApproval(app);
    const invalid = await deadLetterAnInvalidCancel(app);
    const preview = await cli('dead-letters', 'purge', COMMANDS, '--type', 'task-management.cancel-task.v1');
    expect(preview.code).toBe(2);
    expect(preview.stdout).toContain(invalid.id);
    expect(preview.stdout).not.toContain(approval.id);
    expect(preview.stderr).toBe(`error: purge would delete 1 dead letter of ${COMMANDS} for good: add --yes to do it\n`);
    expect((await ids()).sort()).toEqual([approval.id, invalid.id].sort());

    expect(await cli('dead-letters', 'purge', COMMANDS, '--type', 'task-management.cancel-task.v1', '--yes')).toEqual({
      code: 0,
      stdout: `purged 1 dead letter of ${COMMANDS}\n`,
      stderr: '',
    });
    expect(await ids()).toEqual([approval.id]);
    expect((await cli('dead-letters', 'purge', COMMANDS, '--all', '--yes')).stdout).toBe(`purged 1 dead letter of ${COMMANDS}\n`);
    expect(await ids()).toEqual([]);
  });

  it('exits 3 for a token that is not an admin and for none, and --token overrides the environment', async () => {
    const dead = await deadLetterAnApproval(app);
    expect(await refinery(['dead-letters', 'purge', COMMANDS, '--all', '--yes'], { ...env, REFINERY_TOKEN: tokenOf('alice') })).toEqual({
      code: 3,
      stdout: '',
      stderr: "error: forbidden (403): the token is unknown or not an admin's\n",
    });
    expect(await refinery(['dead-letters', 'list'], { REFINERY_URL: env.REFINERY_URL })).toEqual({
      code: 3,
      stdout: '',
      stderr: 'error: no admin token: pass --token or set REFINERY_TOKEN\n',
    });
    expect((await refinery(['dead-letters', 'list', '--token', tokenOf('root')], { REFINERY_URL: env.REFINERY_URL })).code).toBe(0);
    expect((await cli('dead-letters', 'list', '--token', tokenOf('bob'))).code).toBe(3);
    expect(await ids()).toEqual([dead.id]);
  });
});

describe('refinery, without a service', () => {
  const env = { REFINERY_TOKEN: 'root-test-token-0123456789abcdefghij' };
  const answering =
    (status: number, body: unknown): typeof fetch =>
    async () =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('exits 1 with the reason when nothing listens at --url', async () => {
    // A port that was free a moment ago (fetch refuses well-known ports such as 1 outright).
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const run = await refinery(['dead-letters', 'list', '--url', `http://127.0.0.1:${port}`], env);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(new RegExp(`^error: cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
    });
  });

  it.each([
    [401, { error: 'unauthorized' }, 3, 'error: not authorised (401): the server wants a token; pass --token or set REFINERY_TOKEN\n'],
    [400, { error: 'invalid_request', issues: [{ field: 'typ', message: 'Unrecognized key' }] }, 2, 'error: rejected (400): typ: Unrecognized key\n'],
    [503, { error: 'unavailable', message: 'RabbitMQ is not connected' }, 1, 'error: server error (503): RabbitMQ is not connected\n'],
  ])('maps an answer %i %j to exit code %i', async (status, body, code, stderr) => {
    expect(await refinery(['dead-letters', 'replay', 'c', '--all'], env, answering(status, body))).toEqual({ code, stdout: '', stderr });
  });

  it('sends the selector, the consumer and the token where the API wants them', async () => {
    const seen: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(
        `${init?.method} ${input instanceof Request ? input.url : input.toString()} ${new Headers(init?.headers).get('authorization')} ${typeof init?.body === 'string' ? init.body : ''}`,
      );
      return new Response(JSON.stringify({ replayed: 2, purged: 3 }), { status: 200 });
    };
    const base = { REFINERY_URL: 'http://svc.test:8080/', REFINERY_TOKEN: 'tok-12345' };
    expect((await refinery(['dead-letters', 'replay', 'a b/c', '--type', 't.v1'], base, recording)).stdout).toBe('replayed 2 dead letters of a b/c\n');
    expect((await refinery(['dead-letters', 'purge', 'a', '--id', 'x&y', '--yes'], base, recording)).stdout).toBe('purged 3 dead letters of a\n');
    expect(seen).toEqual([
      'POST http://svc.test:8080/admin/dead-letters/a%20b%2Fc/replay Bearer tok-12345 {"type":"t.v1"}',
      'DELETE http://svc.test:8080/admin/dead-letters/a?id=x%26y Bearer tok-12345 ',
    ]);
  });

  it.each([
    [['dead-letters', 'list', '--url', 'ftp://x'], 'error: --url: expected http:// or https://, got ftp:\n'],
    [['dead-letters', 'list', '--url', 'not a url'], 'error: --url: not a URL: not a url\n'],
    [['dead-letters', 'list', '--timeout', '0'], "error: option '--timeout <ms>' argument '0' is invalid. expected a whole number of milliseconds above 0\n"],
    [['dead-letters', 'show', 'only-a-consumer'], "error: missing required argument 'id'\n"],
    [['dead-letters', 'lsit'], expect.stringContaining('(Did you mean list?)')],
    [['frobnicate'], expect.stringContaining("error: unknown command 'frobnicate'")],
    [['migrate'], expect.stringMatching(/^error: Invalid configuration:\n {2}- PORT/)],
  ])('exits 2 on a usage error: %j', async (argv, stderr) => {
    expect(await refinery(argv, { ...env, PORT: 'not-a-port' })).toEqual({ code: 2, stdout: '', stderr });
  });

  it('prints help with the exit codes, and exits 0', async () => {
    const run = await refinery(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dead-letters');
    expect(run.stdout).toContain('3 not authorised');
  });

  it('migrates an empty database', async () => {
    const run = await refinery(['migrate'], { PGLITE_DATA_DIR: 'memory://' });
    expect(run).toEqual({ code: 0, stdout: expect.stringMatching(/^applied \d+ migration\(s\):\n {2}\S+/), stderr: '' });
  }, 90_000);
});
