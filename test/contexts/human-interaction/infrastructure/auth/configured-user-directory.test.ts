import { sha256Hex } from '../../../../../src/contexts/human-interaction/application/api-tokens/api-token-secret';
import type { IssuedTokenOwners } from '../../../../../src/contexts/human-interaction/application/api-tokens/issued-token-verifier';
import { humanInteractionOptions, type HumanInteractionOptions } from '../../../../../src/contexts/human-interaction/human-interaction.options';
import { ConfiguredUserDirectory } from '../../../../../src/contexts/human-interaction/infrastructure/auth/configured-user-directory';
import { TEST_LINK_SECRET } from '../../../../support/app';

/** Issued tokens the test says are live (by sha256), recording what was looked up. */
class IssuedStub implements IssuedTokenOwners {
  readonly lookedUp: string[] = [];
  constructor(private readonly live: Record<string, string>) {}
  async ownerOf(token: string): Promise<string | undefined> {
    return this.ownerOfSha256(sha256Hex(token));
  }
  async ownerOfSha256(hash: string): Promise<string | undefined> {
    this.lookedUp.push(hash);
    return this.live[hash];
  }
}

const users = (aliceToken: string): HumanInteractionOptions['users'] => [
  { id: 'alice', name: 'Alice', roles: ['requester'], token: aliceToken },
  { id: 'bob', name: 'Bob', roles: ['approver'], tokenSha256: sha256Hex('bob-token-2') },
  { id: 'carol', name: 'Carol', roles: ['requester'], token: 'carol-token-3' },
];

/** What a session re-checks on every request: does the token it names still authenticate its person? */
describe('re-checking a web session credential', () => {
  const issuedToken = 'rfy_issued-for-carol';
  const directoryWith = (aliceToken: string, issued = new IssuedStub({ [sha256Hex(issuedToken)]: 'carol' })) =>
    new ConfiguredUserDirectory(humanInteractionOptions({ users: users(aliceToken), linkSecret: TEST_LINK_SECRET }), issued);

  it('finds the person of a configured token, given as the token or as its sha256 in configuration', async () => {
    const directory = directoryWith('alice-token-1');
    expect((await directory.authenticateSha256(sha256Hex('alice-token-1')))?.id).toBe('alice');
    expect((await directory.authenticateSha256(sha256Hex('alice-token-1').toUpperCase()))?.id).toBe('alice');
    expect((await directory.authenticateSha256(sha256Hex('bob-token-2')))?.id).toBe('bob');
  });

  it("ends with a configured token's rotation: the old token's hash no longer authenticates anyone", async () => {
    const rotated = directoryWith('alice-token-NEW');
    expect(await rotated.authenticateSha256(sha256Hex('alice-token-1'))).toBeUndefined();
    expect((await rotated.authenticateSha256(sha256Hex('alice-token-NEW')))?.id).toBe('alice');
  });

  it('asks the issued tokens for anything else, and refuses once the issued token is revoked', async () => {
    expect((await directoryWith('alice-token-1').authenticateSha256(sha256Hex(issuedToken)))?.id).toBe('carol');
    const revoked = new IssuedStub({});
    expect(await directoryWith('alice-token-1', revoked).authenticateSha256(sha256Hex(issuedToken))).toBeUndefined();
    expect(revoked.lookedUp).toEqual([sha256Hex(issuedToken)]);
  });

  it('refuses what is not a sha256 without looking anything up', async () => {
    const issued = new IssuedStub({});
    const directory = directoryWith('alice-token-1', issued);
    for (const junk of ['', 'alice-token-1', 'g'.repeat(64), sha256Hex('x').slice(1)]) expect(await directory.authenticateSha256(junk)).toBeUndefined();
    expect(issued.lookedUp).toEqual([]);
  });
});
