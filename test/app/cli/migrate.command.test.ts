import { TcpProxy } from '../../support/tcp-proxy';
import { runRefinery } from './support/run-cli';

describe('refinery migrate with PostgreSQL unreachable', () => {
  it('waits up to STARTUP_TIMEOUT_MS, telling each wait on stderr (no password), then exits 1 naming PostgreSQL', async () => {
    // A port that refuses every connection (the proxy never listens).
    const refusing = await TcpProxy.start({ host: '127.0.0.1', port: 9 }, { listening: false });
    const env = { DATABASE_URL: `postgres://refinery:pw-not-shown@127.0.0.1:${refusing.port}/refinery`, STARTUP_TIMEOUT_MS: '800' };

    const run = await runRefinery(['migrate'], { env, fetch });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`waiting for PostgreSQL at 127.0.0.1:${refusing.port} (attempt 1, next in `);
    expect(run.stderr).toMatch(
      new RegExp(
        `migrate failed: PostgreSQL at 127\\.0\\.0\\.1:${refusing.port} is unreachable: gave up after \\d+ attempts in \\d+ ms \\(STARTUP_TIMEOUT_MS\\)`,
      ),
    );
    expect(run.stderr).not.toContain('pw-not-shown');
  });
});
