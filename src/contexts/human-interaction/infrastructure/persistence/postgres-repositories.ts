import type { HumanInteractionRepositoryFactory } from '../../application/repositories';
import { PostgresAlertRepository } from './postgres-alert.repository';
import { PostgresApiTokenRepository } from './postgres-api-token.repository';
import { PostgresDeliveryRepository } from './postgres-delivery.repository';
import { PostgresHumanActionRepository } from './postgres-human-action.repository';
import { PostgresNotificationRepository } from './postgres-notification.repository';
import { PostgresRevokedSessionRepository } from './postgres-revoked-session.repository';
import { PostgresPrdViewRepository } from './postgres-prd-view.repository';
import { PostgresTaskViewRepository } from './postgres-task-view.repository';
import { PostgresUsedActionLinkRepository } from './postgres-used-action-link.repository';
import { PostgresUserChannelRepository } from './postgres-user-channel.repository';

/** The context's tables in PostgreSQL (or PGlite), all on the given session's connection. */
export const postgresHumanInteractionRepositories: HumanInteractionRepositoryFactory = ({ manager }) => ({
  taskViews: new PostgresTaskViewRepository(manager),
  prdViews: new PostgresPrdViewRepository(manager),
  notifications: new PostgresNotificationRepository(manager),
  humanActions: new PostgresHumanActionRepository(manager),
  deliveries: new PostgresDeliveryRepository(manager),
  userChannels: new PostgresUserChannelRepository(manager),
  apiTokens: new PostgresApiTokenRepository(manager),
  usedActionLinks: new PostgresUsedActionLinkRepository(manager),
  alerts: new PostgresAlertRepository(manager),
  revokedSessions: new PostgresRevokedSessionRepository(manager),
});
