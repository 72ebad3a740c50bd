import { inject, injectable } from 'inversify';
import type { TokenRefused } from '../../../../shared/auth/token-refusal';
import { TokenTable } from '../../../../shared/auth/token-table';
import type { IssuedTokenOwners } from '../../application/api-tokens/issued-token-verifier';
import type { Role, User, UserDirectory } from '../../domain/user';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * The people from configuration, and who a bearer token belongs to. Only a sha256 of each
 * configured token is kept (configuration may give only the hash); a presented token is hashed
 * and compared with every entry in constant time, so neither the comparison nor the position of
 * the match reveals anything through timing. A token issued at run time (stored hashed, see
 * ApiTokens) is checked next; its person must still be configured, and has their current roles.
 */
@injectable()
export class ConfiguredUserDirectory implements UserDirectory {
  private readonly users: readonly User[];
  private readonly tokens: TokenTable<User>;

  constructor(
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.IssuedTokens) private readonly issued: IssuedTokenOwners,
  ) {
    const { users } = options;
    const entries = users.map((credential) => ({ owner: { id: credential.id, name: credential.name, roles: [...credential.roles] }, credential }));
    this.users = entries.map((entry) => entry.owner);
    this.tokens = new TokenTable(entries);
  }

  /** `refused` hears why an issued token was refused when it is not just unknown (it expired). */
  async authenticate(token: string, refused?: TokenRefused): Promise<User | undefined> {
    const configured = this.tokens.ownerOfToken(token);
    if (configured) return configured;
    const userId = await this.issued.ownerOf(token, refused);
    return userId === undefined ? undefined : this.findById(userId);
  }

  /**
   * Who the token with this sha256 (64 hex digits) authenticates now: what a web session re-checks
   * on every request, so a sign-in ends when its token is revoked, expires or is no longer configured.
   */
  async authenticateSha256(hex: string): Promise<User | undefined> {
    if (!SHA256_HEX.test(hex)) return undefined;
    const configured = this.tokens.ownerOfHash(Buffer.from(hex, 'hex'));
    if (configured) return configured;
    const userId = await this.issued.ownerOfSha256(hex.toLowerCase());
    return userId === undefined ? undefined : this.findById(userId);
  }

  findById(id: string): User | undefined {
    return this.users.find((user) => user.id === id);
  }

  firstWithRole(role: Role, exceptId?: string): User | undefined {
    return this.users.find((user) => user.roles.includes(role) && user.id !== exceptId);
  }
}
