import { createHash } from 'node:crypto';
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
    [{ REFINERY_USERS: 'alice:requester:sha256:abc123' }, 'REFINERY_USERS'],
    [{ REFINERY_USERS: `alice:requester:sha256:${'g'.repeat(64)}` }, 'REFINERY_USERS'],
    [{ MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START'],
    [{ LINK_SECRET: 'too-short' }, 'LINK_SECRET'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ PUBLIC_URL: 'refinery.example.com' }, 'PUBLIC_URL'],
    [{ WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com,https://hooks.example.org/' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_ALLOWED_HOSTS: '*' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_ALLOWED_HOSTS: 'hooks.*.example.com' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_ALLOWED_HOSTS: ' , ' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com,[1:2]' }, 'WEBHOOK_ALLOWED_HOSTS'],
    [{ WEBHOOK_ALLOWED_PORTS: '8443,http' }, 'WEBHOOK_ALLOWED_PORTS'],
    [{ WEBHOOK_ALLOWED_PORTS: '70000' }, 'WEBHOOK_ALLOWED_PORTS'],
    [{ WEBHOOK_ALLOWED_PORTS: '0' }, 'WEBHOOK_ALLOWED_PORTS'],
    [{ WEBHOOK_ALLOW_INTERNAL: 'yes' }, 'WEBHOOK_ALLOW_INTERNAL'],
  ])('stops on %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`- ${variable}:`));
  });

  it('never echoes a value, which may hold a credential', () => {
    expect(() => loadConfig({ DATABASE_URL: 'not a url with s3cret' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  it('takes several RabbitMQ node URLs and names the bad entry without its password', () => {
    expect(loadConfig({ RABBITMQ_URL: 'amqp://u:p@node1:5701, amqp://u:p@node2:5702,' }).RABBITMQ_URL).toEqual([
      'amqp://u:p@node1:5701',
      'amqp://u:p@node2:5702',
    ]);
    expect(loadConfig({ RABBITMQ_URL: 'amqps://rabbit.example.com' }).RABBITMQ_URL).toEqual(['amqps://rabbit.example.com']);
    const bad = () => loadConfig({ RABBITMQ_URL: 'amqp://u:s3cret@node1:5701,http://u:s3cret@node2:5702' });
    expect(bad).toThrow(/- RABBITMQ_URL: entry 2: \(http:\/\/node2:5702\) must be an amqp:\/\/ or amqps:\/\/ URL/);
    expect(bad).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    expect(() => loadConfig({ RABBITMQ_URL: 'u:s3cret@node1' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    expect(() => loadConfig({ RABBITMQ_URL: ' , ' })).toThrow(/- RABBITMQ_URL: name at least one/);
  });

  it('keeps a token that contains colons whole', () => {
    expect(loadConfig({ REFINERY_USERS: 'alice:requester:abc:def:ghi:0123456789abcdefghijklm' }).REFINERY_USERS?.[0]?.token).toBe(
      'abc:def:ghi:0123456789abcdefghijklm',
    );
  });

  it('parses users with roles and tokens', () => {
    const { REFINERY_USERS } = loadConfig({
      REFINERY_USERS: 'alice:requester:alice-token-1-0123456789abcdefghijk, bob:approver+admin:bob-token-12-0123456789abcdefghijkl',
    });
    expect(REFINERY_USERS).toEqual([
      { id: 'alice', name: 'alice', roles: ['requester'], token: 'alice-token-1-0123456789abcdefghijk' },
      { id: 'bob', name: 'bob', roles: ['approver', 'admin'], token: 'bob-token-12-0123456789abcdefghijkl' },
    ]);
  });

  it('lets `refinery migrate` run with DATABASE_URL alone, but not the service without LINK_SECRET', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/refinery' });
    expect(() => assertServiceConfig(config)).toThrow(/- LINK_SECRET: required when DATABASE_URL is set/);
    expect(() => assertServiceConfig(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/refinery', LINK_SECRET: 'x'.repeat(32) }))).not.toThrow();
  });

  it('takes a token given as its sha256, so the token itself is never in the environment', () => {
    const hash = createHash('sha256').update('alice-token-1').digest('hex');
    const { REFINERY_USERS } = loadConfig({ REFINERY_USERS: `alice:requester:sha256:${hash.toUpperCase()},bob:approver:bob-token-12-0123456789abcdefghijkl` });
    expect(REFINERY_USERS).toEqual([
      { id: 'alice', name: 'alice', roles: ['requester'], tokenSha256: hash },
      { id: 'bob', name: 'bob', roles: ['approver'], token: 'bob-token-12-0123456789abcdefghijkl' },
    ]);
  });

  it('reads the hosts webhooks may go to, and leaves them unrestricted when unset', () => {
    expect(loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' Hooks.Slack.com, *.example.com,10.0.0.7,[::1] ' }).WEBHOOK_ALLOWED_HOSTS).toEqual([
      'hooks.slack.com',
      '*.example.com',
      '10.0.0.7',
      '[::1]',
    ]);
    expect(loadConfig({}).WEBHOOK_ALLOWED_HOSTS).toBeUndefined();
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'ok.example.com,not a host' })).toThrow(/- WEBHOOK_ALLOWED_HOSTS: entry 2: must be a host name/);
  });

  it('reads the extra webhook ports and the internal-address switch, both off when unset', () => {
    expect(loadConfig({ WEBHOOK_ALLOWED_PORTS: ' 8443, 9000 ', WEBHOOK_ALLOW_INTERNAL: 'true' })).toMatchObject({
      WEBHOOK_ALLOWED_PORTS: [8443, 9000],
      WEBHOOK_ALLOW_INTERNAL: true,
    });
    expect(loadConfig({}).WEBHOOK_ALLOWED_PORTS).toBeUndefined();
    expect(loadConfig({}).WEBHOOK_ALLOW_INTERNAL).toBe(false);
  });

  it('stops start-up on a configured token shorter than 32 characters, naming REFINERY_USERS and the user, never the token', () => {
    const env = { REFINERY_USERS: `alice:requester:${'a'.repeat(32)},bob:approver:${'b'.repeat(31)}` };
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/- REFINERY_USERS: entry 2 \(user bob\): a token needs 32\+ characters/) }),
    );
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('b'.repeat(31)) }));
    expect(loadConfig({ REFINERY_USERS: `alice:requester:${'a'.repeat(32)}` }).REFINERY_USERS?.[0]?.token).toHaveLength(32);
  });

  it('says what is wrong with a hashed token without echoing it', () => {
    expect(() => loadConfig({ REFINERY_USERS: 'alice:requester:sha256:deadbeef' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/REFINERY_USERS: entry 1 \(user alice\): sha256: must be followed by 64 hex digits/) }),
    );
    expect(() => loadConfig({ REFINERY_USERS: 'alice:requester:sha256:deadbeef' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('deadbeef') }),
    );
  });
});
