import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUsers } from '../../src/app/users';

describe('the demo users', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'refinery-demo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('get tokens of 32+ characters in a file only its owner reads, reused on the next start', () => {
    const file = join(dir, 'dev-tokens.json');
    const users = demoUsers(file);
    expect(users.map((u) => u.id)).toEqual(['alice', 'bob', 'admin']);
    for (const user of users) expect(user.token?.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(demoUsers(file).map((u) => u.token)).toEqual(users.map((u) => u.token));
  });

  it('replaces a token shorter than 32 characters from an older file, keeping the others', () => {
    const file = join(dir, 'dev-tokens.json');
    const long = 'l'.repeat(40);
    writeFileSync(file, JSON.stringify({ alice: 'short-old-token-24-chars', bob: long, admin: long }));
    const users = demoUsers(file);
    expect(users.find((u) => u.id === 'alice')?.token).not.toBe('short-old-token-24-chars');
    expect(users.find((u) => u.id === 'alice')?.token?.length).toBeGreaterThanOrEqual(32);
    expect(users.find((u) => u.id === 'bob')?.token).toBe(long);
    expect((JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).alice).toBe(users[0]?.token);
  });
});
