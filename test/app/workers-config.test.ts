import { ConfigError, loadConfig } from '../../src/app/config';

describe('the worker registry settings', () => {
  it('default to a heartbeat every 5 s and a lease of 15 s', () => {
    expect(loadConfig({})).toMatchObject({ WORKER_HEARTBEAT_MS: 5_000, WORKER_LEASE_MS: 15_000 });
    expect(loadConfig({ WORKER_HEARTBEAT_MS: '200', WORKER_LEASE_MS: '1000' })).toMatchObject({ WORKER_HEARTBEAT_MS: 200, WORKER_LEASE_MS: 1_000 });
  });

  it.each([
    [{ WORKER_HEARTBEAT_MS: 'often' }, /- WORKER_HEARTBEAT_MS:/],
    [{ WORKER_HEARTBEAT_MS: '10' }, /- WORKER_HEARTBEAT_MS:/],
    [{ WORKER_LEASE_MS: '-1' }, /- WORKER_LEASE_MS:/],
    [{ WORKER_LEASE_MS: '5000' }, /- WORKER_LEASE_MS: must be greater than WORKER_HEARTBEAT_MS \(5000\)/],
    [{ WORKER_HEARTBEAT_MS: '2000', WORKER_LEASE_MS: '1500' }, /- WORKER_LEASE_MS: must be greater than WORKER_HEARTBEAT_MS \(2000\)/],
  ])('stop start-up on %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
