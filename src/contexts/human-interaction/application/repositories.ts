import type { RepositoryFactory } from '../../../shared/persistence/unit-of-work';
import type { NotificationRepository } from '../domain/notification.repository';
import type { TaskViewRepository } from '../domain/task-view.repository';
import type { UsedActionLinkRepository } from './act-on-link/used-action-link.repository';
import type { AlertRepository } from './alerts/alert.repository';
import type { ApiTokenRepository } from './api-tokens/api-token.repository';
import type { UserChannelRepository } from './channel-preferences/user-channel.repository';
import type { DeliveryRepository } from './deliver-notifications/delivery.repository';
import type { HumanActionRepository } from './human-action.repository';
import type { PrdViewRepository } from './prd-view.repository';
import type { RevokedSessionRepository } from './web-sessions/revoked-session.repository';

export interface HumanInteractionRepositories {
  readonly taskViews: TaskViewRepository;
  readonly prdViews: PrdViewRepository;
  readonly notifications: NotificationRepository;
  readonly humanActions: HumanActionRepository;
  readonly deliveries: DeliveryRepository;
  readonly userChannels: UserChannelRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly usedActionLinks: UsedActionLinkRepository;
  readonly alerts: AlertRepository;
  readonly revokedSessions: RevokedSessionRepository;
}

/**
 * Opens the repositories on one session: a transaction's (`unitOfWork.run`, `handleOnce`), so
 * every read and write of a unit of work shares it, or the pool's (`unitOfWork.read`).
 */
export type HumanInteractionRepositoryFactory = RepositoryFactory<HumanInteractionRepositories>;
