import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';

/**
 * Sign-out for the web inbox's sealed cookie sessions: the session's id is stored in PostgreSQL
 * until the session would have expired, so every process of the service refuses a copy of the
 * cookie from then on, not only the browser that signed out.
 */
@injectable()
export class SessionRevocations {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  revoke(session: { readonly sessionId: string; readonly userId: string; readonly expiresAt: Date }): Promise<void> {
    return this.unitOfWork.read((s) => this.repositories(s).revokedSessions.revoke(session.sessionId, session.userId, session.expiresAt, this.clock.now()));
  }

  isRevoked(sessionId: string): Promise<boolean> {
    return this.unitOfWork.read((s) => this.repositories(s).revokedSessions.isRevoked(sessionId));
  }
}
