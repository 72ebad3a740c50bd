import { TEST_LINK_SECRET } from '../../../support/app';
import Fastify, { type FastifyInstance } from 'fastify';
import { humanInteractionContracts } from '../../../../src/contexts/human-interaction/contracts';
import { ApiTokens } from '../../../../src/contexts/human-interaction/application/api-tokens/api-tokens.service';
import { DnsHostResolver } from '../../../../src/contexts/human-interaction/infrastructure/channels/webhook/dns-host-resolver';
import { IssuedTokenVerifier } from '../../../../src/contexts/human-interaction/application/api-tokens/issued-token-verifier';
import { AnswerClarification } from '../../../../src/contexts/human-interaction/application/answer-clarification/answer-clarification.service';
import { CancelTask } from '../../../../src/contexts/human-interaction/application/cancel-task/cancel-task.service';
import { ChannelPreferences } from '../../../../src/contexts/human-interaction/application/channel-preferences/channel-preferences.service';
import { DeliverNotifications } from '../../../../src/contexts/human-interaction/application/deliver-notifications/deliver-notifications.worker';
import { DeliveryContentBuilder } from '../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content-builder';
import { deliveryOutcomesFor } from '../../../../src/contexts/human-interaction/infrastructure/channels/configured-channels';
import { ActionLinkSigner } from '../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { PublicAddress } from '../../../../src/contexts/human-interaction/infrastructure/links/public-address';
import { DecidePrd } from '../../../../src/contexts/human-interaction/application/decide-prd/decide-prd.service';
import { NotificationInbox } from '../../../../src/contexts/human-interaction/application/queries/notification-inbox.service';
import { TaskQueries } from '../../../../src/contexts/human-interaction/application/queries/task-queries.service';
import { RecordPrdOnPrdDrafted } from '../../../../src/contexts/human-interaction/application/record-prd/record-prd-on-prd-drafted.handler';
import { ResendUnconfirmedRequests } from '../../../../src/contexts/human-interaction/application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import { SendNotificationHandler } from '../../../../src/contexts/human-interaction/application/send-notification/send-notification.handler';
import { SubmitRequest } from '../../../../src/contexts/human-interaction/application/submit-request/submit-request.service';
import { SyncTaskViewOnTaskEvent } from '../../../../src/contexts/human-interaction/application/sync-task-view/sync-task-view-on-task-event.handler';
import { TaskViewChanges } from '../../../../src/contexts/human-interaction/application/task-view-changes';
import { NotificationActionLinks } from '../../../../src/contexts/human-interaction/infrastructure/links/notification-action-links';
import { WebInboxLinks } from '../../../../src/contexts/human-interaction/infrastructure/links/web-inbox-links';
import { humanInteractionOptions, type HumanInteractionOptions } from '../../../../src/contexts/human-interaction/human-interaction.options';
import { ConfiguredUserDirectory } from '../../../../src/contexts/human-interaction/infrastructure/auth/configured-user-directory';
import { DeliveryAdmin } from '../../../../src/contexts/human-interaction/application/deliveries-admin/delivery-admin.service';
import { ChannelRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/channel.routes';
import { DeliveryAdminRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/delivery-admin.routes';
import { OpsApiRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/ops-api.routes';
import { OpsConsole } from '../../../../src/contexts/human-interaction/application/ops/ops-console.service';
import { postgresOpsRepositories } from '../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-ops.repository';
import { InMemoryMessageQueue } from '../../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { HumanInteractionHttpApi } from '../../../../src/contexts/human-interaction/infrastructure/http/human-interaction.http-api';
import { NotificationRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/notification.routes';
import { IdempotentRequests } from '../../../../src/contexts/human-interaction/infrastructure/http/idempotency';
import { TaskRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/task.routes';
import { TokenRoutes } from '../../../../src/contexts/human-interaction/infrastructure/http/token.routes';
import { postgresHumanInteractionRepositories as repositories } from '../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-repositories';
import { orchestrationContracts } from '../../../../src/contexts/orchestration/contracts';
import { PrdDrafted, productDefinitionContracts } from '../../../../src/contexts/product-definition/contracts';
import { type TaskSnapshot, TaskStatusChanged, taskManagementContracts } from '../../../../src/contexts/task-management/contracts';
import type { Clock } from '../../../../src/shared/kernel/clock';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, type MessageContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import { aPrdDocument } from '../../../support/prd-document';

export const USERS: HumanInteractionOptions['users'] = [
  { id: 'alice', name: 'Alice', roles: ['requester'], token: 'alice-secret-token' },
  { id: 'carol', name: 'Carol', roles: ['requester'], token: 'carol-secret-token' },
  { id: 'bob', name: 'Bob', roles: ['approver'], token: 'bob-secret-token' },
  { id: 'dave', name: 'Dave', roles: ['admin'], token: 'dave-secret-token' },
];

export const auth = (userId: 'alice' | 'carol' | 'bob' | 'dave') => ({ authorization: `Bearer ${userId}-secret-token` });

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-01-05T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The context wired by hand (no container), with a fastify instance for `app.inject`. */
export async function buildHumanInteraction(db: Database, users: HumanInteractionOptions['users'] = USERS) {
  const clock = new ManualClock();
  const registry = new ContractRegistry().register(
    ...taskManagementContracts,
    ...productDefinitionContracts,
    ...orchestrationContracts,
    ...humanInteractionContracts,
  );
  const unitOfWork = new UnitOfWork(db.dataSource, registry, clock);
  const options = humanInteractionOptions({ users, linkSecret: TEST_LINK_SECRET });
  const directory = new ConfiguredUserDirectory(options, new IssuedTokenVerifier(unitOfWork, repositories, clock));
  const publicAddress = new PublicAddress(options);
  const notificationLinks = new NotificationActionLinks(new ActionLinkSigner(TEST_LINK_SECRET), publicAddress, options);
  const taskViewChanges = new TaskViewChanges();
  const deliveryAdmin = new DeliveryAdmin(unitOfWork, repositories, clock, { kick: () => undefined });
  // The audit log of admin actions; nothing here dead-letters, so its in-memory queue stays empty.
  const opsConsole = new OpsConsole(unitOfWork, repositories, postgresOpsRepositories, new InMemoryMessageQueue({ registry }), deliveryAdmin, clock);
  const api = new HumanInteractionHttpApi(directory, silentLogger(), [
    new TaskRoutes(
      new SubmitRequest(unitOfWork, repositories, directory, options),
      new AnswerClarification(unitOfWork, repositories),
      new DecidePrd(unitOfWork, repositories, options),
      new CancelTask(unitOfWork, repositories),
      new TaskQueries(unitOfWork, repositories),
      new IdempotentRequests(unitOfWork, options),
    ),
    new NotificationRoutes(new NotificationInbox(unitOfWork, repositories, clock), notificationLinks),
    new TokenRoutes(new ApiTokens(unitOfWork, repositories, clock, directory, postgresOpsRepositories, options)),
    new ChannelRoutes(new ChannelPreferences(unitOfWork, repositories, clock, options, new DnsHostResolver())),
    // No channel configured here: a retry has no worker to wake.
    new DeliveryAdminRoutes(deliveryAdmin, opsConsole),
    new OpsApiRoutes(opsConsole),
  ]);
  const app: FastifyInstance = Fastify();
  api.register(app);
  publicAddress.useListeningAddress(await app.listen({ host: '127.0.0.1', port: 0 }));
  return {
    app,
    http: httpClient(app),
    api,
    clock,
    unitOfWork,
    directory,
    taskViewChanges,
    syncTaskView: new SyncTaskViewOnTaskEvent(unitOfWork, repositories, taskViewChanges),
    recordPrd: new RecordPrdOnPrdDrafted(unitOfWork, repositories, taskViewChanges),
    sendNotification: new SendNotificationHandler(unitOfWork, repositories, options),
    // No channel configured: deliveries are exercised end to end in test/contexts/human-interaction/channels.
    deliveries: new DeliverNotifications(
      unitOfWork,
      repositories,
      clock,
      silentLogger(),
      options,
      [],
      new DeliveryContentBuilder(unitOfWork, repositories, new WebInboxLinks(notificationLinks, new PublicAddress(options)), directory),
      deliveryOutcomesFor(undefined),
    ),
    resender: new ResendUnconfirmedRequests(unitOfWork, repositories, options, silentLogger()),
  };
}

export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is (to send malformed JSON). */
  readonly payload?: object | string;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** The body parsed as JSON: a test says what it expects it to be (`as`), or asserts on it as it is. */
  json(): unknown;
}

/**
 * Real HTTP against the listening instance. (fastify's `inject` loads light-my-request, which
 * needs the ESM-only `cookie` package that jest's transform config does not cover yet.)
 */
export function httpClient(app: FastifyInstance) {
  return async (call: HttpCall): Promise<HttpResponse> => {
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('fastify is not listening on a port');
    const json = call.payload !== undefined && typeof call.payload !== 'string';
    const response = await fetch(`http://127.0.0.1:${address.port}${call.url}`, {
      method: call.method,
      headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...call.headers },
      ...(call.payload !== undefined ? { body: json ? JSON.stringify(call.payload) : call.payload } : {}),
    });
    const text = await response.text();
    return { statusCode: response.status, json: (): unknown => JSON.parse(text) };
  };
}

/** Delivers a task event (task-status-changed by default) to the view's handler. */
export function deliverSnapshot(h: { syncTaskView: SyncTaskViewOnTaskEvent }, snapshot: TaskSnapshot, contract: MessageContract = TaskStatusChanged) {
  const event = createEnvelope(message(contract, snapshot.taskId, snapshot));
  return h.syncTaskView.handle(event).then(() => event);
}

/** Product definition's `prd-drafted` for one version of the task's PRD (a default document), as it arrives here. */
export function deliverPrd(h: { recordPrd: RecordPrdOnPrdDrafted }, taskId: string, prdVersion: number, prd = aPrdDocument()) {
  const event = createEnvelope(
    message(PrdDrafted, taskId, { taskId, prdVersion, basedOnTaskVersion: prdVersion * 2, prd, draftedAt: '2026-01-05T09:30:00.000Z' }),
  );
  return h.recordPrd.handle(event).then(() => event);
}

export type HumanInteractionHarness = Awaited<ReturnType<typeof buildHumanInteraction>>;

export interface OutboxEnvelope {
  readonly messageId: string;
  readonly type: string;
  readonly key: string;
  readonly payload: Record<string, unknown>;
}

/** What this context has committed to send about a task, oldest first. */
export async function outboxFor(db: Database, taskId: string): Promise<OutboxEnvelope[]> {
  const rows: Array<{ envelope: OutboxEnvelope }> = await db.dataSource.query(`SELECT envelope FROM messaging.outbox WHERE message_key = $1 ORDER BY id`, [
    taskId,
  ]);
  return rows.map((row) => row.envelope);
}
