import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { InvalidRequestError } from '../../domain/human-interaction.errors';
import { assertIsAdmin, type User, type UserDirectory } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { ApiTokenRecord } from './api-token.repository';
import { generateApiToken, sha256Hex } from './api-token-secret';

const LIST_LIMIT = 500;

export type ApiToken = ApiTokenRecord;

/** What an admin gets back once, at issue time: the only moment the token itself exists. */
export interface IssuedApiToken extends ApiToken {
  readonly token: string;
}

/**
 * API tokens issued at run time by an admin for a configured person. Identity and roles stay in
 * configuration: a token only says who is calling, so it grants that person's current roles and
 * stops working once the person is no longer configured.
 */
@injectable()
export class ApiTokens {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: UserDirectory,
  ) {}

  async issue(admin: User, input: { readonly userId: string; readonly label: string }): Promise<IssuedApiToken> {
    assertIsAdmin(admin);
    if (!this.users.findById(input.userId)) throw new InvalidRequestError([{ field: 'userId', message: `${input.userId} is not a configured user` }]);
    const token = generateApiToken();
    const record = { id: randomUUID(), userId: input.userId, label: input.label, createdAt: this.clock.now() };
    await this.unitOfWork.read((s) => this.repositories(s).apiTokens.insert(record, sha256Hex(token)));
    return { ...record, lastUsedAt: null, revokedAt: null, token };
  }

  list(admin: User): Promise<ApiToken[]> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((s) => this.repositories(s).apiTokens.list(LIST_LIMIT));
  }

  /** Undefined when no token has this id; revoking twice keeps the first revocation time. */
  revoke(admin: User, id: string): Promise<ApiToken | undefined> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((s) => this.repositories(s).apiTokens.revoke(id, this.clock.now()));
  }
}
