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
    const configured = this.configuredOwnerOf(token);
    if (configured) return configured;
    const userId = await this.issued.ownerOf(token);
    return userId === undefined ? undefined : this.findById(userId);
  }

  findById(id: string): User | undefined {
    return this.entries.find((entry) => entry.user.id === id)?.user;
  }

  firstWithRole(role: Role): User | undefined {
    return this.entries.find((entry) => entry.user.roles.includes(role))?.user;
  }

  private configuredOwnerOf(token: string): User | undefined {
    const presented = sha256(token);
    let found: User | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.tokenHash, presented) && !found) found = entry.user;
    }
    return found;
  }
}
