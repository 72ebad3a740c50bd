import type { Application } from '../../../src/app/container';
import { startTestApp, tokenOf } from '../../support/app';
import { COMPLETE_ANSWER } from '../../support/refinement-scenario';
import { type CliRun, runRefinery } from './support/run-cli';

describe('refinery, as the people in the workflow use it', () => {
  let app: Application;
  let url: string;

  /** `refinery <argv>` in-process as `user` (REFINERY_TOKEN), waiting briskly. */
  const as = async (user: string | undefined, argv: readonly string[], options: { tty?: boolean; token?: string } = {}): Promise<CliRun> => {
    const token = options.token ?? (user ? tokenOf(user) : undefined);
    const waiting = argv.includes('--wait') ? ['--poll-interval', '20'] : [];
    return runRefinery([...argv, ...waiting], { env: { REFINERY_URL: url, ...(token ? { REFINERY_TOKEN: token } : {}) }, stderrIsTty: options.tty ?? false });
  };

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    url = await app.listen();
  }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
  afterAll(() => app?.stop());

  it('takes a vague request to an approved PRD: submit --wait, show, answer, reject --wait, approve --wait', async () => {
    const submitted = await as('alice', [
      'submit',
      '--title',
      'Better dashboard',
      '--description',
      'Make the dashboard better.',
      '--priority',
      'high',
      '--wait',
      'CLARIFICATION_NEEDED',
    ]);
    expect(submitted.code).toBe(0);
    const taskId = submitted.stdout.trim();
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const progress = submitted.stderr.trimEnd().split('\n');
    expect(progress.at(-1)).toMatch(new RegExp(`^task ${taskId} is CLARIFICATION_NEEDED \\(v3\\)$`));
    for (const line of progress.slice(0, -1))
      expect(line).toMatch(new RegExp(`^waiting for CLARIFICATION_NEEDED: task ${taskId.slice(0, 8)}… is (NEW|REQUEST_VALIDATION) \\(v\\d\\), \\d+s$`));
    expect(new Set(progress).size).toBe(progress.length); // one line per change, not one per poll

    const shown = await as('alice', ['show', taskId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Better dashboard\n/);
    expect(shown.stdout).toMatch(/^ {2}status +CLARIFICATION_NEEDED \(v3\)$/m);
    expect(shown.stdout).toMatch(/^ {2}priority +high$/m);
    expect(shown.stdout).toContain('Request\n  Make the dashboard better.\n');
    expect(shown.stdout).toMatch(/^ {2}Q1\. .+\n {6}\(not answered yet\)$/m);
    expect(shown.stdout).toMatch(/^History\n {2}\S+Z +v1 +\(new\) → NEW +user:alice$/m);
    const questions = (await app.http.inject({ method: 'GET', url: `/api/tasks/${taskId}`, headers: { authorization: `Bearer ${tokenOf('alice')}` } }))
      .json<{ clarifications: Array<{ question: string }> }>()
      .clarifications.map((c) => c.question);
    expect(questions.length).toBeGreaterThan(1);

    const tooFew = await as('alice', ['answer', taskId, '--answer', COMPLETE_ANSWER]);
    expect(tooFew.code).toBe(2);
    expect(tooFew.stderr).toContain(`The task asks:\n${questions.map((q, i) => `  ${i + 1}. ${q}`).join('\n')}\n`);
    expect(tooFew.stderr).toContain(`error: ${questions.length} questions but 1 --answer given: give one --answer per question, in this order\n`);

    const none = await as('alice', ['answer', taskId]);
    expect(none).toEqual({
      code: 2,
      stdout: '',
      stderr: `The task asks:\n${questions.map((q, i) => `  ${i + 1}. ${q}`).join('\n')}\nerror: give one --answer per question, in this order\n`,
    });

    const answered = await as('alice', ['answer', taskId, ...questions.flatMap(() => ['--answer', COMPLETE_ANSWER]), '--wait', 'PRD_VALIDATION']);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain(`Q1. ${questions[0]}\n    A: ${COMPLETE_ANSWER}\n`);
    expect(answered.stdout).toContain(`answer accepted for task ${taskId} (checked against v3)\n`);
    expect(answered.stdout).toMatch(new RegExp(`task ${taskId} is PRD_VALIDATION \\(v5\\)\\n$`));

    const review = await as('bob', ['show', taskId]);
    expect(review.stdout).toMatch(/^PRD v1: .+$/m);
    expect(review.stdout).toMatch(/^ {4}FR-1 \[P\d\] .+$/m);
    expect(review.stdout).toMatch(/^ {2}\S+Z +v5 +REQUEST_VALIDATION → PRD_VALIDATION +service:product-manager-agent\n {6}PRD v1$/m);
    expect(review.stdout).toMatch(/^ {2}Q1\. .+\n {6}A: Problem: support leads/m);

    expect((await as('alice', ['approve', taskId])).code).toBe(3);

    const rejected = await as('bob', [
      'reject',
      taskId,
      '--prd-version',
      '1',
      '--feedback',
      'Add a CSV export of the backlog chart.',
      '--wait',
      'PRD_VALIDATION',
    ]);
    expect(rejected).toEqual({
      code: 0,
      stdout: `reject accepted for task ${taskId} (checked against v5)\ntask ${taskId} is PRD_VALIDATION (v7)\n`,
      stderr: expect.any(String),
    });

    const stale = await as('bob', ['approve', taskId, '--prd-version', '1']);
    expect(stale).toEqual({ code: 4, stdout: '', stderr: 'error: refused (409): PRD version 1 is not the one awaiting a decision (version 2)\n' });

    const approved = await as('bob', ['approve', taskId, '--prd-version', '2', '--wait', 'APPROVED']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(`approve accepted for task ${taskId} (checked against v7)\ntask ${taskId} is APPROVED (v8)\n`);

    const json = await as('alice', ['show', taskId, '--json']);
    const body = JSON.parse(json.stdout) as { task: { status: string }; history: Array<{ to: string; actor: string }>; prdVersions: number[] };
    expect(body.task.status).toBe('APPROVED');
    expect(body.prdVersions).toEqual([1, 2]);
    expect(body.history.map((t) => t.to)).toEqual([
      'NEW',
      'REQUEST_VALIDATION',
      'CLARIFICATION_NEEDED',
      'REQUEST_VALIDATION',
      'PRD_VALIDATION',
      'REQUEST_VALIDATION',
      'PRD_VALIDATION',
      'APPROVED',
    ]);

    const listed = await as('alice', ['list']);
    expect(listed.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['ID', 'STATUS', 'VER', 'PRD', 'PRIORITY', 'REQUESTER', 'APPROVER', 'UPDATED', 'TITLE']);
    expect(listed.stdout).toMatch(new RegExp(`^${taskId} +APPROVED +8 +v2 +high +alice +bob +\\S+Z +Better dashboard$`, 'm'));
    expect((await as('carol', ['list'])).stdout).not.toContain(taskId);

    // Finished: nothing is left to do to it.
    expect(await as('alice', ['cancel', taskId])).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: refused (409): task is APPROVED, it can no longer be cancelled\n',
    });
    expect(await as('alice', ['answer', taskId, '--answer', 'x'])).toEqual({
      code: 4,
      stdout: '',
      stderr: `error: task ${taskId} is APPROVED (v8): no questions wait for an answer\n`,
    });
  }, 90_000);

  it('exits 5 when the task ends elsewhere, or when --wait-timeout passes first', async () => {
    const submitted = await as('alice', ['submit', '--title', 'Backlog trends', '--description', COMPLETE_ANSWER, '--wait', 'PRD_VALIDATION']);
    const taskId = submitted.stdout.trim();
    // Approved, the task can never need a clarification: waiting for one ends at once.
    const never = await as('bob', ['approve', taskId, '--wait', 'CLARIFICATION_NEEDED']);
    expect(never.code).toBe(5);
    expect(never.stderr).toMatch(new RegExp(`error: task ${taskId} is APPROVED \\(v4\\): it ended there and will never be CLARIFICATION_NEEDED\\n$`));

    // Nobody approves this one: the wait times out. On a terminal the progress line is rewritten in place.
    const waiting = await as('alice', ['submit', '--title', 'Backlog trends', '--description', COMPLETE_ANSWER, '--wait', 'APPROVED', '--wait-timeout', '1s'], {
      tty: true,
    });
    expect(waiting.code).toBe(5);
    expect(waiting.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const [progress, error] = waiting.stderr.split('\n');
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line sequence is what is asserted
    expect(progress).toMatch(/^(\rwaiting for APPROVED: task [0-9a-f]{8}… is (NEW|REQUEST_VALIDATION|PRD_VALIDATION) \(v\d\), \ds\x1b\[K){2,}$/);
    expect(error).toMatch(/^error: gave up waiting for APPROVED after 1s \(--wait-timeout\): task \S+ is (NEW|REQUEST_VALIDATION|PRD_VALIDATION) \(v\d\)$/);

    const cancelled = await as('alice', ['cancel', waiting.stdout.trim(), '--reason', 'changed my mind', '--wait', 'APPROVED']);
    expect(cancelled.code).toBe(5);
    expect(cancelled.stderr).toMatch(/error: task \S+ is CANCELLED \(v\d\): it ended there and will never be APPROVED\n$/);
  }, 60_000);

  it('exits 3 when not authorised: no valid token (401) or not allowed (403)', async () => {
    expect(await as(undefined, ['list'], { token: 'not-a-token-anyone-has' })).toEqual({
      code: 3,
      stdout: '',
      stderr: 'error: not authorised (401): no token, or one the server does not know (revoked?); pass --token or set REFINERY_TOKEN\n',
    });
    const submitted = await as('alice', ['submit', '--title', 'Mine', '--description', 'Make the dashboard better.']);
    const taskId = submitted.stdout.trim();
    expect(await as('carol', ['show', taskId])).toEqual({
      code: 3,
      stdout: '',
      stderr: `error: forbidden (403): task ${taskId} is neither requested nor approved by carol\n`,
    });
    expect((await as('bob', ['submit', '--title', 'x', '--description', 'y'])).code).toBe(3);
  });

  it('exits 4 for a task that does not exist', async () => {
    expect(await as('alice', ['show', 'no-such-task'])).toEqual({ code: 4, stdout: '', stderr: 'error: not found (404): task no-such-task not found\n' });
  });

  it.each([
    [['submit', '--description', 'x'], "error: required option '--title <title>' not specified\n"],
    [
      ['submit', '--title', 't', '--description', 'd', '--priority', 'asap'],
      expect.stringContaining("error: option '--priority <priority>' argument 'asap' is invalid. Allowed choices are low, normal, high, urgent."),
    ],
    [
      ['submit', '--title', 't', '--description', 'd', '--wait', 'DONE'],
      expect.stringContaining("argument 'DONE' is invalid. expected one of NEW, REQUEST_VALIDATION"),
    ],
    [['approve', 'some-task', '--wait-timeout', 'soon'], expect.stringContaining("argument 'soon' is invalid. expected a duration")],
    [['reject', 'some-task'], "error: required option '--feedback <text>' not specified\n"],
    [['show'], "error: missing required argument 'taskId'\n"],
    [['tokens', 'issue', '--user', 'carol'], "error: required option '--label <label>' not specified\n"],
  ])('exits 2 on a usage error, sending nothing: %j', async (argv, stderr) => {
    expect(await as('alice', argv)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('exits 3 without a token, as the docs/cli.md table says (not authorised), and 2 when the server finds the request invalid (400)', async () => {
    expect(await as(undefined, ['list'])).toEqual({ code: 3, stdout: '', stderr: 'error: no token: pass --token or set REFINERY_TOKEN\n' });
    expect(await as('alice', ['submit', '--title', 'x', '--description', 'y', '--approver', 'carol'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: rejected (400): approverId: carol is not an approver\n',
    });
  });

  it('lets an admin issue, list and revoke tokens; a revoked token exits 3', async () => {
    const issued = await as('root', ['tokens', 'issue', '--user', 'carol', '--label', 'carol laptop']);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^rfy_\S{43}$/);
    expect(issued.stderr).toMatch(/^issued token \S+ for carol \(carol laptop\), never expires: keep it now, it is not shown again\n$/);
    expect((await as(undefined, ['list'], { token })).code).toBe(0);

    const listed = await as('root', ['tokens', 'list']);
    const row = listed.stdout.split('\n').find((line) => line.endsWith('carol laptop'));
    const id = row?.split(/\s+/)[0] ?? '';
    expect(row).toMatch(/^\S+ +carol +\S+Z +never +\S+Z +- +carol laptop$/);
    expect(listed.stdout).not.toContain(token);

    expect((await as('root', ['tokens', 'revoke', id])).stdout).toMatch(new RegExp(`^revoked token ${id} of carol \\(carol laptop\\) at \\S+Z\\n$`));
    expect((await as(undefined, ['list'], { token })).code).toBe(3);
    expect((await as('alice', ['tokens', 'list'])).code).toBe(3);
    expect((await as('root', ['tokens', 'revoke', 'no-such-token'])).code).toBe(4);
  });

  it('documents the commands and the exit codes in --help', async () => {
    const help = await as(undefined, ['--help']);
    expect(help.code).toBe(0);
    for (const command of ['submit', 'list', 'show', 'answer', 'approve', 'reject', 'cancel', 'tokens', 'dead-letters', 'migrate'])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    for (const code of ['0 done', '1 the server', '2 usage error', '3 not authorised', '4 refused by the workflow', '5 --wait ended'])
      expect(help.stdout).toContain(`  ${code}`);
    expect((await as(undefined, ['submit', '--help'])).stdout).toContain('--wait <status>');
  });
});
