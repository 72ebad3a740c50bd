import type { Application } from '../../../src/app/container';
import { WorkflowStalled } from '../../../src/contexts/orchestration/contracts';
import { message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../src/shared/messaging/envelope';
import { Api } from '../../support/api';
import { startTestApp, tokenOf } from '../../support/app';
import { eventually } from '../../support/eventually';
import { notificationFor } from '../../support/refinement-scenario';
import { runRefinery } from './support/run-cli';

describe('refinery stalled: the stuck tasks, and re-driving one from the command line', () => {
  let app: Application;
  let url: string;
  const cli = (user: string, ...argv: string[]) => runRefinery(argv, { env: { REFINERY_URL: url, REFINERY_TOKEN: tokenOf(user) } });

  beforeAll(async () => {
    app = await startTestApp();
    url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  }, 90_000);
  afterAll(() => app?.stop());

  it('lists a stall with its state and what the scanner sent again, re-drives it once, and audits it', async () => {
    const api = new Api(app);
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
    const asked = await notificationFor(api, 'alice', body.taskId, 'clarification-requested');
    await app.queue.publishEvent(
      createEnvelope(
        message(WorkflowStalled, body.taskId, {
          taskId: body.taskId,
          status: 'CLARIFICATION_NEEDED',
          taskVersion: asked.taskVersion,
          inStatusSince: new Date(Date.now() - 7_200_000).toISOString(),
          thresholdMs: 3_600_000,
          detectedAt: new Date().toISOString(),
          redriven: ['human-interaction.send-notification.v1'],
        }),
      ),
    );
    const listed = await eventually(async () => {
      const run = await cli('root', 'stalled', 'list');
      if (!run.stdout.includes(body.taskId)) throw new Error('not listed yet');
      return run;
    });
    expect(listed.code).toBe(0);
    const [header, row, footer] = listed.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['STALL', 'TASK', 'TITLE', 'STATE', 'SINCE', 'SCANNER SENT AGAIN', 'RE-DRIVE']);
    const cells = row?.split(/\s{2,}/) ?? [];
    expect(cells.slice(1, 4)).toEqual([body.taskId, 'Better dashboard', `CLARIFICATION_NEEDED (v${asked.taskVersion})`]);
    expect(cells.slice(5)).toEqual(['human-interaction.send-notification.v1', '-']);
    expect(footer).toBe('1 stalled task');
    const stall = cells[0] ?? '';

    expect(await cli('root', 'stalled', 'redrive', stall)).toEqual({
      code: 0,
      stdout: `re-drive sent for task ${body.taskId} (version ${asked.taskVersion})\n`,
      stderr: '',
    });
    const again = await cli('root', 'stalled', 'redrive', stall);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('asked already by root');
    expect((await cli('root', 'stalled', 'list')).stdout).toContain('asked by root');
    const audit = await cli('root', 'audit', '--task', body.taskId);
    expect(audit.stdout).toMatch(/task\.redrive .* ok .*re-drive sent/);
    expect(audit.stdout).toMatch(/task\.redrive .* failed .*asked already/);
    expect((await cli('alice', 'stalled', 'list')).code).toBe(3);
  });
});
