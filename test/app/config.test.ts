import { assertServiceConfig, ConfigError, loadConfig } from '../../src/app/config';

describe('loadConfig', () => {
  it('runs with nothing set: embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', PGLITE_DATA_DIR: '.refinery/pgdata', MIGRATE_ON_START: true });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CONTEXTS).toEqual(['task-management', 'orchestration', 'product-definition', 'human-interaction']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ RABBITMQ_URL: 'http://x' }, 'RABBITMQ_URL'],
    [{ CONTEXTS: 'task-management,billing' }, 'CONTEXTS'],
    [{ REFINERY_USERS: 'alice:boss:longenoughtoken' }, 'REFINERY_USERS'],
    [{ REFINERY_USERS: 'alice:requester:short' }, 'REFINERY_USERS'],
    [{ MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START'],
    [{ LINK_SECRET: 'too-short' }, 'LINK_SECRET'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ PUBLIC_URL: 'refinery.example.com' }, 'PUBLIC_URL'],
  ])('stops on %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`- ${variable}:`));
  });

  it('never echoes a value, which may hold a credential', () => {
    expect(() => loadConfig({ DATABASE_URL: 'not a url with s3cret' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  it('keeps a token that contains colons whole', () => {
    expect(loadConfig({ REFINERY_USERS: 'alice:requester:abc:def:ghi' }).REFINERY_USERS?.[0]?.token).toBe('abc:def:ghi');
  });

  it('parses users with roles and tokens', () => {
    const { REFINERY_USERS } = loadConfig({ REFINERY_USERS: 'alice:requester:alice-token-1, bob:approver+admin:bob-token-12' });
    expect(REFINERY_USERS).toEqual([
      { id: 'alice', name: 'alice', roles: ['requester'], token: 'alice-token-1' },
      { id: 'bob', name: 'bob', roles: ['approver', 'admin'], token: 'bob-token-12' },
    ]);
  });

  it('lets `refinery migrate` run with DATABASE_URL alone, but not the service without LINK_SECRET', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/refinery' });
    expect(() => assertServiceConfig(config)).toThrow(/- LINK_SECRET: required when DATABASE_URL is set/);
    expect(() => assertServiceConfig(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/refinery', LINK_SECRET: 'x'.repeat(32) }))).not.toThrow();
  });
});
