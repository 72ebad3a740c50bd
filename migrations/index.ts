import { Messaging1732400000000 } from './1732400000000-messaging';
import { TaskManagement1732400000100 } from './1732400000100-task-management';
import { Orchestration1732400000200 } from './1732400000200-orchestration';
import { ProductDefinition1732400000300 } from './1732400000300-product-definition';
import { HumanInteraction1732400000400 } from './1732400000400-human-interaction';
import { HumanInteractionChannels1732400000500 } from './1732400000500-human-interaction-channels';
import { MessagingRetention1732400000600 } from './1732400000600-messaging-retention';
import { TaskManagementFinishedIndex1732400000700 } from './1732400000700-task-management-finished-index';
import { TraceContext1732400000800 } from './1732400000800-trace-context';
import { WorkerRegistry1732400000900 } from './1732400000900-worker-registry';
import { HumanInteractionAlerts1732400001000 } from './1732400001000-human-interaction-alerts';
import { TaskManagementStatusIndex1732400001100 } from './1732400001100-task-management-status-index';
import { HumanInteractionOperatorActions1732400001200 } from './1732400001200-human-interaction-operator-actions';
import { AgentPoolSwitch1732400001300 } from './1732400001300-agent-pool-switch';
import { HumanInteractionWorkerAlerts1732400001700 } from './1732400001700-human-interaction-worker-alerts';
import { IdempotencyKeys1732400001800 } from './1732400001800-idempotency-keys';
import { TaskManagementSettled1732400001900 } from './1732400001900-task-management-settled';
import { HumanInteractionRevokedSessions1732400002200 } from './1732400002200-human-interaction-revoked-sessions';
import { HumanInteractionApiTokenExpiry1732400002400 } from './1732400002400-human-interaction-api-token-expiry';

/** Every migration, in order; start-up and `npm run migrate` run them. One file per context schema and change. */
export const allMigrations = [
  Messaging1732400000000,
  TaskManagement1732400000100,
  Orchestration1732400000200,
  ProductDefinition1732400000300,
  HumanInteraction1732400000400,
  HumanInteractionChannels1732400000500,
  MessagingRetention1732400000600,
  TaskManagementFinishedIndex1732400000700,
  TraceContext1732400000800,
  WorkerRegistry1732400000900,
  HumanInteractionAlerts1732400001000,
  TaskManagementStatusIndex1732400001100,
  HumanInteractionOperatorActions1732400001200,
  AgentPoolSwitch1732400001300,
  HumanInteractionWorkerAlerts1732400001700,
  IdempotencyKeys1732400001800,
  TaskManagementSettled1732400001900,
  HumanInteractionRevokedSessions1732400002200,
  HumanInteractionApiTokenExpiry1732400002400,
];
