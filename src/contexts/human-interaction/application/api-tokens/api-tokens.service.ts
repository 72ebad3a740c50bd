import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Session, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { InvalidRequestError } from '../../domain/human-interaction.errors';
import { assertIsAdmin, type User, type UserDirectory } from '../../domain/user';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { NewOperatorAction, OpsRepositoryFactory } from '../ops/ops.repository';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { ApiTokenRecord } from './api-token.repository';
import { generateApiToken, sha256Hex } from './api-token-secret';

const LIST_LIMIT = 500;
const DAY_MS = 86_400_000;
/** Ten years: long enough for any real expiry, short enough that the instant is a valid date. */
export const MAX_EXPIRY_DAYS = 3_650;

export type ApiToken = ApiTokenRecord;

/** What an admin gets back once, at issue time: the only moment the token itself exists. */
export interface IssuedApiToken extends ApiToken {
  readonly token: string;
}

export interface IssueTokenInput {
  readonly userId: string;
  readonly label: string;
  /** The token expires this many days after it is issued; absent: the configured default, or never. */
  readonly expiresInDays?: number | undefined;
}

type AuditEntry = Pick<NewOperatorAction, 'action' | 'target' | 'detail'>;

/**
 * API tokens issued at run time by an admin for a configured person. Identity and roles stay in
 * configuration: a token only says who is calling, so it grants that person's current roles and
 * stops working once the person is no longer configured, or once it expires.
 *
 * Issuing and revoking are written to the audit log (`api-tokens.issue`, `api-tokens.revoke`) in
 * the transaction that does them: who, for whom, the label and the token's id, never the token.
 * A refused attempt (no such person, no such token) is written as failed.
 */
@injectable()
export class ApiTokens {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: UserDirectory,
    @inject(HUMAN_INTERACTION.OpsRepositories) private readonly opsRepositories: OpsRepositoryFactory,
    @inject(HUMAN_INTERACTION.Options) private readonly options: Pick<HumanInteractionOptions, 'apiTokenDefaultExpiryDays'>,
  ) {}

  async issue(admin: User, input: IssueTokenInput): Promise<IssuedApiToken> {
    assertIsAdmin(admin);
    const days = input.expiresInDays ?? this.options.apiTokenDefaultExpiryDays;
    if (days !== undefined && !(Number.isInteger(days) && days > 0 && days <= MAX_EXPIRY_DAYS)) {
      throw new InvalidRequestError([{ field: 'expiresInDays', message: `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}` }]);
    }
    if (!this.users.findById(input.userId)) {
      const message = `${input.userId} is not a configured user`;
      await this.recordFailed(admin, { action: 'api-tokens.issue', target: `a token for ${input.userId}`, detail: message });
      throw new InvalidRequestError([{ field: 'userId', message }]);
    }
    const token = generateApiToken();
    return this.unitOfWork.run(async (tx) => {
      const createdAt = tx.now;
      const expiresAt = days === undefined ? null : new Date(createdAt.getTime() + days * DAY_MS);
      const record = { id: randomUUID(), userId: input.userId, label: input.label, createdAt, expiresAt };
      await this.repositories(tx).apiTokens.insert(record, sha256Hex(token));
      const expiry = expiresAt ? `expires ${expiresAt.toISOString()}` : 'never expires';
      await this.record(tx, tx.now, admin, 'ok', {
        action: 'api-tokens.issue',
        target: `token ${record.id} for ${record.userId}`,
        detail: `issued "${record.label}" for ${record.userId}; ${expiry}`,
      });
      return { ...record, lastUsedAt: null, revokedAt: null, token };
    });
  }

  list(admin: User): Promise<ApiToken[]> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((s) => this.repositories(s).apiTokens.list(LIST_LIMIT));
  }

  /** Undefined when no token has this id; revoking twice keeps the first revocation time. */
  async revoke(admin: User, id: string): Promise<ApiToken | undefined> {
    assertIsAdmin(admin);
    const revoked = await this.unitOfWork.run(async (tx) => {
      const token = await this.repositories(tx).apiTokens.revoke(id, tx.now);
      if (!token) return undefined;
      const earlier = token.revokedAt !== null && token.revokedAt.getTime() !== tx.now.getTime() ? token.revokedAt : undefined;
      await this.record(tx, tx.now, admin, 'ok', {
        action: 'api-tokens.revoke',
        target: `token ${token.id} of ${token.userId}`,
        detail: earlier ? `"${token.label}" was revoked already, at ${earlier.toISOString()}` : `revoked "${token.label}"`,
      });
      return token;
    });
    if (!revoked) await this.recordFailed(admin, { action: 'api-tokens.revoke', target: `token ${id}`, detail: 'no such token' });
    return revoked;
  }

  private async record(session: Session, at: Date, admin: User, outcome: 'ok' | 'failed', entry: AuditEntry): Promise<void> {
    await this.opsRepositories(session).ops.recordAction({ actorId: admin.id, taskId: null, outcome, ...entry, target: entry.target.slice(0, 2_000) }, at);
  }

  /** A refused attempt: nothing was done, so there is no transaction to join. */
  private recordFailed(admin: User, entry: AuditEntry): Promise<void> {
    return this.unitOfWork.read((session) => this.record(session, this.clock.now(), admin, 'failed', entry));
  }
}
