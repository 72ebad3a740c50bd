import { isDatabaseUnreachable, postgresAddress } from '../../../src/shared/persistence/database-reachability';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P03'])('waits on %s', (code) => {
    expect(isDatabaseUnreachable(withCode(code))).toBe(true);
  });

  it('waits on a socket closed during the handshake and on a name whose every address refused', () => {
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
  });

  it.each([
    ['28P01', 'password authentication failed for user "refinery"'],
    ['3D000', 'database "refinery" does not exist'],
    ['28000', 'no pg_hba.conf entry for host'],
  ])('does not wait on %s (%s)', (code, message) => {
    expect(isDatabaseUnreachable(withCode(code, message))).toBe(false);
  });

  it('does not wait on errors without a code', () => {
    expect(isDatabaseUnreachable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });
});

describe('postgresAddress', () => {
  it('is host:port, never the credentials', () => {
    expect(postgresAddress('postgres://refinery:s3cret@db.internal:6432/refinery')).toBe('db.internal:6432');
    expect(postgresAddress('postgresql://refinery:s3cret@db.internal/refinery')).toBe('db.internal:5432');
  });
});
