import type { Application } from '../../../src/app/container';
import { startTestApp, tokenOf } from '../../support/app';
import { COMMANDS, deadLetterAnApproval, deadLetteredAgain } from '../support/dead-letter-fixtures';
import { runRefinery } from './support/run-cli';

describe('refinery audit: every operator action, whichever tool took it', () => {
  let app: Application;
  let url: string;
  const cli = (user: string, ...argv: string[]) => runRefinery(argv, { env: { REFINERY_URL: url, REFINERY_TOKEN: tokenOf(user) } });

  beforeAll(async () => {
    app = await startTestApp();
    url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  }, 90_000);
  afterAll(() => app?.stop());

  it('lists the dead-letter actions the CLI took through the admin API, newest first, with how each ended', async () => {
    const dead = await deadLetterAnApproval(app);
    expect((await cli('root', 'dead-letters', 'replay', COMMANDS, '--id', dead.id)).code).toBe(0);
    // The replayed approval fails again: its new dead letter is the one purged.
    await deadLetteredAgain(app, dead);
    expect((await cli('root', 'dead-letters', 'purge', COMMANDS, '--type', 'task-management.approve-prd.v1', '--yes')).code).toBe(0);

    const run = await cli('root', 'audit');
    expect(run.code).toBe(0);
    const [header, purge, replay, footer] = run.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['AT', 'WHO', 'ACTION', 'ON', 'OUTCOME', 'WHAT HAPPENED']);
    expect(purge?.split(/\s{2,}/).slice(1)).toEqual(['root', 'dead-letters.purge', `${COMMANDS}: type task-management.approve-prd.v1`, 'ok', 'purged 1']);
    expect(replay?.split(/\s{2,}/).slice(1)).toEqual(['root', 'dead-letters.replay', `${COMMANDS}: id ${dead.id}`, 'ok', 'replayed 1']);
    expect(footer).toBe('2 actions');

    const json = await cli('root', 'audit', '--json', '--limit', '1');
    expect(JSON.parse(json.stdout)).toEqual({ actions: [expect.objectContaining({ action: 'dead-letters.purge', actorId: 'root', outcome: 'ok' })] });
  });

  it('lists the tokens the CLI issued and revoked: who, for whom, which token, its label and expiry; never the token', async () => {
    const issued = await cli('root', 'tokens', 'issue', '--user', 'alice', '--label', 'alice CI', '--expires-in-days', '7');
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim();
    const [listed] = JSON.parse((await cli('root', 'tokens', 'list', '--json')).stdout) as Array<{ id: string; createdAt: string; expiresAt: string }>;
    if (!listed) throw new Error('tokens list showed no token');
    const expiresAt = new Date(new Date(listed.createdAt).getTime() + 7 * 86_400_000).toISOString();
    expect(listed.expiresAt).toBe(expiresAt);
    expect(issued.stderr).toContain(`issued token ${listed.id} for alice (alice CI), expires ${expiresAt.slice(0, 19)}Z`);
    const table = (await cli('root', 'tokens', 'list')).stdout.split('\n');
    expect(table[0]?.split(/\s{2,}/)).toEqual(['ID', 'USER', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED', 'LABEL']);
    const row = table[1]?.split(/\s{2,}/) ?? [];
    expect([row[0], row[1], row[3]]).toEqual([listed.id, 'alice', `${expiresAt.slice(0, 19)}Z`]);
    expect((await cli('root', 'tokens', 'revoke', listed.id)).code).toBe(0);

    const run = await cli('root', 'audit', '--limit', '2');
    expect(run.code).toBe(0);
    const [, revoke, issue] = run.stdout.trimEnd().split('\n');
    expect(issue?.split(/\s{2,}/).slice(1)).toEqual([
      'root',
      'api-tokens.issue',
      `token ${listed.id} for alice`,
      'ok',
      `issued "alice CI" for alice; expires ${expiresAt}`,
    ]);
    expect(revoke?.split(/\s{2,}/).slice(1)).toEqual(['root', 'api-tokens.revoke', `token ${listed.id} of alice`, 'ok', 'revoked "alice CI"']);
    expect(run.stdout).not.toContain(token);
  });

  it('is for admins, and refuses a misspelt filter naming it', async () => {
    const forbidden = await cli('alice', 'audit');
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/forbidden \(403\)/);
    const response = await app.http.inject({ method: 'GET', url: '/api/admin/audit?task=x', headers: { authorization: `Bearer ${tokenOf('root')}` } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('task');
  });
});
