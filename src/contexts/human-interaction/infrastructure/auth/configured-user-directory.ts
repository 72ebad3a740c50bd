import { createHash, timingSafeEqual } from 'node:crypto';
import { inject, injectable } from 'inversify';
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
 * The people from configuration. Only a sha256 of each token is kept; a presented token is
 * hashed and compared with every entry in constant time, so neither the comparison nor the
 * position of the match reveals anything through timing.
 */
@injectable()
export class ConfiguredUserDirectory implements UserDirectory {
  private readonly entries: readonly Entry[];

  constructor(@inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions) {
    const { users } = humanInteractionOptionsSchema.parse(options);
    this.entries = users.map(({ token, ...user }) => ({ user: { id: user.id, name: user.name, roles: [...user.roles] }, tokenHash: sha256(token) }));
  }

  authenticate(token: string): User | undefined {
    const presented = sha256(token);
    let found: User | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.tokenHash, presented) && !found) found = entry.user;
    }
    return found;
  }

  findById(id: string): User | undefined {
    return this.entries.find((entry) => entry.user.id === id)?.user;
  }

  firstWithRole(role: Role): User | undefined {
    return this.entries.find((entry) => entry.user.roles.includes(role))?.user;
  }
}
