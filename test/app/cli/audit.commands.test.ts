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

  it('is for admins, and refuses a misspelt filter naming it', async () => {
    const forbidden = await cli('alice', 'audit');
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/forbidden \(403\)/);
    const response = await app.http.inject({ method: 'GET', url: '/api/admin/audit?task=x', headers: { authorization: `Bearer ${tokenOf('root')}` } });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('task');
  });
});
