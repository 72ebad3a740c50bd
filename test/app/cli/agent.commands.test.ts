import type { Application } from '../../../src/app/container';
import { startTestApp, tokenOf } from '../../support/app';
import { eventually } from '../../support/eventually';
import { runRefinery } from './support/run-cli';

describe('refinery agent pause|status|resume: the agent pool switch from the command line', () => {
  let app: Application;
  let url: string;
  const cli = (user: string, ...argv: string[]) => runRefinery(argv, { env: { REFINERY_URL: url, REFINERY_TOKEN: tokenOf(user) } });

  beforeAll(async () => {
    app = await startTestApp();
    url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  }, 90_000);
  afterAll(() => app?.stop());

  it('pauses with a reason, shows who paused it, resumes; each action in the audit log', async () => {
    const before = await cli('root', 'agent', 'status');
    expect(before).toMatchObject({ code: 0, stdout: 'agent pool product-manager: running\n0 tasks waiting for the agent\n' });

    const pause = await cli('root', 'agent', 'pause', '--reason', 'provider maintenance');
    expect(pause).toMatchObject({ code: 0, stdout: 'asked the agent pool to pause; 0 tasks waiting for the agent\n' });
    const paused = await eventually(async () => {
      const run = await cli('root', 'agent', 'status');
      if (!run.stdout.includes('paused')) throw new Error(run.stdout);
      return run;
    });
    expect(paused.stdout).toMatch(
      /^agent pool product-manager: paused by root at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(provider maintenance\)\n0 tasks waiting for the agent\n$/,
    );
    expect(await app.http.inject({ method: 'GET', url: '/ready' }).then((r) => r.json<Record<string, string>>())).toMatchObject({ agentPool: 'paused' });

    const json = await cli('root', 'agent', 'status', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      pool: 'product-manager',
      paused: true,
      changedBy: 'root',
      reason: 'provider maintenance',
      waitingTasks: 0,
    });

    const resume = await cli('root', 'agent', 'resume');
    expect(resume).toMatchObject({ code: 0, stdout: 'asked the agent pool to resume; 0 tasks waiting for the agent\n' });
    const running = await eventually(async () => {
      const run = await cli('root', 'agent', 'status');
      if (!run.stdout.includes('running')) throw new Error(run.stdout);
      return run;
    });
    expect(running.stdout).toMatch(/^agent pool product-manager: running \(resumed by root at .*\)\n/);

    const audit = await cli('root', 'audit', '--json');
    const actions = (JSON.parse(audit.stdout) as { actions: Array<{ action: string; actorId: string; outcome: string; detail: string }> }).actions;
    expect(actions.map((a) => [a.action, a.actorId, a.outcome])).toEqual([
      ['agent-pool.resume', 'root', 'ok'],
      ['agent-pool.pause', 'root', 'ok'],
    ]);
    expect(actions[1]?.detail).toBe('asked to pause (provider maintenance); 0 tasks waiting for the agent');
  });

  it('is for admins, and refuses a bad body naming the field', async () => {
    const forbidden = await cli('alice', 'agent', 'pause');
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/forbidden \(403\)/);
    expect((await cli('alice', 'agent', 'status')).code).toBe(3);
    const bad = await app.http.inject({
      method: 'POST',
      url: '/api/admin/agent-pool',
      headers: { authorization: `Bearer ${tokenOf('root')}` },
      payload: { paused: 'yes' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('paused');
    expect((await cli('root', 'agent', 'pause', '--bogus')).code).toBe(2);
  });
});
