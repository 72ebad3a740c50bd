import { createHash, timingSafeEqual } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { IssuedTokenOwners } from '../../application/api-tokens/issued-token-verifier';
import type { Role, User, UserDirectory } from '../../domain/user';
import { type HumanInteractionOptions, humanInteractionOptionsSchema } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';

interface Entry {
  readonly user: User;
  readonly tokenHash: Buffer;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The people from configuration, and who a bearer token belongs to. Only a sha256 of each
 * configured token is kept (configuration may give only the hash); a presented token is hashed
 * and compared with every entry in constant time, so neither the comparison nor the position of
 * the match reveals anything through timing. A token issued at run time (stored hashed, see
 * ApiTokens) is checked next; its person must still be configured, and has their current roles.
 */
@injectable()
export class ConfiguredUserDirectory implements UserDirectory {
  private readonly entries: readonly Entry[];

  constructor(
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.IssuedTokens) private readonly issued: IssuedTokenOwners,
  ) {
    const { users } = humanInteractionOptionsSchema.parse(options);
    this.entries = users.map(({ token, tokenSha256, ...user }) => ({
      user: { id: user.id, name: user.name, roles: [...user.roles] },
      tokenHash: token !== undefined ? sha256(token) : Buffer.from(tokenSha256 ?? '', 'hex'),
    }));
  }

  async authenticate(token: string): Promise<User | undefined> {
    const configured = this.configuredOwnerOf(sha256(token));
    if (configured) return configured;
    const userId = await this.issued.ownerOf(token);
    return userId === undefined ? undefined : this.findById(userId);
  }

  /**
   * Who the token with this sha256 (64 hex digits) authenticates now: what a web session re-checks
   * on every request, so a sign-in ends when its token is revoked or no longer configured.
   */
  async authenticateSha256(hex: string): Promise<User | undefined> {
    if (!SHA256_HEX.test(hex)) return undefined;
    const configured = this.configuredOwnerOf(Buffer.from(hex, 'hex'));
    if (configured) return configured;
    const userId = await this.issued.ownerOfSha256(hex.toLowerCase());
    return userId === undefined ? undefined : this.findById(userId);
  }

  findById(id: string): User | undefined {
    return this.entries.find((entry) => entry.user.id === id)?.user;
  }

  firstWithRole(role: Role): User | undefined {
    return this.entries.find((entry) => entry.user.roles.includes(role))?.user;
  }

  private configuredOwnerOf(presented: Buffer): User | undefined {
    let found: User | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.tokenHash, presented) && !found) found = entry.user;
    }
    return found;
  }
}
