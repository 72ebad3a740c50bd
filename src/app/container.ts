import 'reflect-metadata';
import { setMaxListeners } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSecurityHeaders } from '../shared/http/security-headers';
import { Container, type ContainerModule } from 'inversify';
import { humanInteractionContracts } from '../contexts/human-interaction/contracts';
import {
  HUMAN_INTERACTION,
  type HumanInteractionHttpApi,
  humanInteractionModule,
  type PublicAddress,
} from '../contexts/human-interaction/human-interaction.module';
import { orchestrationContracts } from '../contexts/orchestration/contracts';
import { ORCHESTRATION, orchestrationModule } from '../contexts/orchestration/orchestration.module';
import { productDefinitionContracts } from '../contexts/product-definition/contracts';
import { productDefinitionModule } from '../contexts/product-definition/product-definition.module';
import { PRODUCT_DEFINITION } from '../contexts/product-definition/product-definition.tokens';
import { ProductDefinitionContext } from '../contexts/product-definition/product-definition.context';
import { taskManagementContracts } from '../contexts/task-management/contracts';
import { taskManagementModule } from '../contexts/task-management/task-management.module';
import { TASK_MANAGEMENT } from '../contexts/task-management/task-management.tokens';
import type { Loop } from '../shared/kernel/background-loop';
import type { BoundedContext } from '../shared/kernel/bounded-context';
import { type Clock, systemClock } from '../shared/kernel/clock';
import { SHARED } from '../shared/kernel/tokens';
import type { Logger } from '../shared/logging/logger';
import { ContractRegistry } from '../shared/messaging/contract-registry';
import type { FaultOptions } from '../shared/messaging/in-memory/fault-injector';
import type { MessageQueue, Unsubscribe } from '../shared/messaging/message-queue';
import { MonitoredMessageQueue } from '../shared/messaging/monitoring/monitored-message-queue';
import { RabbitMqMessageQueue } from '../shared/messaging/rabbitmq/rabbitmq-message-queue';
import { type Database, migrate, openDatabase, pendingMigrations } from '../shared/persistence/data-source';
import { DatabaseAvailability } from '../shared/persistence/database-availability';
import { outageAwareQueue } from '../shared/messaging/outage-aware-queue';
import { OutboxRelay } from '../shared/persistence/outbox/outbox-relay';
import { MessagingRetention } from '../shared/persistence/retention/messaging-retention';
import { UnitOfWork } from '../shared/persistence/unit-of-work';
import { BackgroundLoop } from '../shared/kernel/background-loop';
import { countingQueue, WorkCounter, type WorkLoad } from '../shared/workers/work-counter';
import { newWorkerInstance } from '../shared/workers/worker-instance';
import { WorkerMetrics } from '../shared/workers/worker-metrics';
import { type LeaseReleaser, listWorkers, WorkerRegistry } from '../shared/workers/worker-registry';
import type { Config, ConfiguredUser, ContextName } from './config';
import { type AdminAudit, registerAdminRoutes } from './http/admin.routes';
import type { OpsConsole } from '../contexts/human-interaction/application/ops/ops-console.service';
import { type BearerAuthenticator, configuredTokensAuthenticator } from './http/bearer-authenticator';
import { registerAuthLimits } from './http/auth-limits';
import { registerDocsRoutes } from './http/docs.routes';
import { registerHealthRoutes } from './http/health.routes';
import { registerWorkersRoutes } from './http/workers.routes';
import { bindMetricPorts, registerMetricCollectors } from './metrics';
import { productManagerAgentFrom } from './product-manager-agent';
import type { ProductManagerAgent } from '../contexts/product-definition/domain/product-manager-agent';
import { createTransport } from './transport';
import { isQueueDepthSource, type QueueDepthSource } from '../shared/messaging/queue-depths';
import {
  deliveryRetryPolicyFrom,
  humanInteractionOptionsFrom,
  orchestrationOptionsFrom,
  outboxRelayOptionsFrom,
  productDefinitionOptionsFrom,
  retentionOptionsFrom,
  taskManagementOptionsFrom,
} from './options';

/** What the composition root needs of human interaction's user directory. */
interface HumanInteractionAuthenticator {
  authenticate(...args: Parameters<BearerAuthenticator>): ReturnType<BearerAuthenticator>;
}

export interface ApplicationOptions {
  readonly config: Config;
  readonly users: readonly ConfiguredUser[];
  readonly logger: Logger;
  readonly clock?: Clock;
  /** An open database to use instead of the one the config names (tests). */
  readonly database?: Database;
  /** In-memory transport only: seeded faults and randomness (tests). */
  readonly faults?: FaultOptions;
  readonly random?: () => number;
  /** Signs action links and sessions when LINK_SECRET is not configured (the demo's own, from main.ts). */
  readonly linkSecret?: string;
}

export function createContractRegistry(): ContractRegistry {
  return new ContractRegistry().register(...taskManagementContracts, ...orchestrationContracts, ...productDefinitionContracts, ...humanInteractionContracts);
}

const CONTEXT_TOKENS: Record<ContextName, symbol> = {
  'task-management': TASK_MANAGEMENT.Context,
  orchestration: ORCHESTRATION.Context,
  'product-definition': PRODUCT_DEFINITION.Context,
  'human-interaction': HUMAN_INTERACTION.Context,
};

function modulesFor(config: Config, options: ApplicationOptions): ContainerModule[] {
  const modules: Record<ContextName, () => ContainerModule> = {
    'task-management': () => taskManagementModule(taskManagementOptionsFrom(config)),
    orchestration: () => orchestrationModule(orchestrationOptionsFrom(config)),
    'product-definition': () => productDefinitionModule(productDefinitionOptionsFrom(config)),
    'human-interaction': () => humanInteractionModule(humanInteractionOptionsFrom(config, options.users, options.linkSecret)),
  };
  return config.CONTEXTS.map((name) => modules[name]());
}

/**
 * The composition root: the only place that knows every context, picks the transport and the
 * database, wraps the transport with monitoring, and calls `container.get`.
 */
export class Application {
  private subscriptions: Unsubscribe[] = [];
  /** Aborted when stop() begins: handlers still waiting out an outage give their messages back. */
  private readonly stopping = new AbortController();
  private started = false;
  /**
   * Every background loop of this process, in stop order: the relay first, so nothing is marked
   * sent into a transport that is about to close; then retention; then each context's.
   */
  readonly loops: readonly Loop[];

  private constructor(
    readonly config: Config,
    readonly database: Database,
    /** The transport as chosen, before monitoring (tests await its idleness). */
    readonly transport: MessageQueue,
    readonly queue: MonitoredMessageQueue,
    readonly relay: OutboxRelay,
    readonly http: FastifyInstance,
    readonly contexts: readonly BoundedContext[],
    private readonly logger: Logger,
    private readonly publicAddress: PublicAddress | undefined,
    private readonly retention: MessagingRetention,
    /** The product manager of this process's pool (absent without the product-definition context). */
    readonly agent: ProductManagerAgent | undefined,
    /** This process in the worker registry. */
    readonly workers: WorkerRegistry,
    private readonly workCounter: WorkCounter,
    /** PostgreSQL's availability, probed when a failure looks like a lost connection. */
    readonly availability: DatabaseAvailability,
  ) {
    this.loops = [relay.loop, retention.loop, ...contexts.flatMap((context) => context.loops)];
    const broker = transport instanceof RabbitMqMessageQueue ? transport : undefined;
    const productDefinition = contexts.find((context): context is ProductDefinitionContext => context instanceof ProductDefinitionContext);
    registerHealthRoutes(http, {
      database,
      availability,
      queue,
      isStarted: () => this.started,
      ...(broker ? { brokerConnected: () => broker.isConnected() } : {}),
      ...(agent?.availability ? { agentAvailability: agent.availability.bind(agent) } : {}),
      ...(productDefinition ? { agentPool: () => productDefinition.agentPool() } : {}),
    });
  }

  static async create(options: ApplicationOptions): Promise<Application> {
    const { config, logger } = options;
    if (new Set(config.CONTEXTS).size < 4 && (!config.RABBITMQ_URL || !config.DATABASE_URL)) {
      // Processes that share work need a shared broker and a shared database: an in-memory queue
      // reaches no other process, and PGlite's folder must not be opened by two processes.
      throw new Error('CONTEXTS selects only some contexts, which needs RABBITMQ_URL and DATABASE_URL: otherwise every context runs in one process');
    }
    const registry = createContractRegistry();
    const database =
      options.database ??
      (await openDatabase({
        url: config.DATABASE_URL,
        pgliteDataDir: config.PGLITE_DATA_DIR,
        entities: [],
        poolSize: config.DATABASE_POOL_SIZE,
        // A PostgreSQL that is down, restarting or failing over is waited for, logging each attempt.
        startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
        log: logger,
      }));
    if (!options.database) {
      if (config.MIGRATE_ON_START) {
        const applied = await migrate(database.dataSource, { serialise: database.kind === 'postgres' });
        if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
      } else if (await pendingMigrations(database.dataSource)) {
        await database.close();
        throw new Error('the database has migrations that are not applied: run `npm run migrate` or set MIGRATE_ON_START=true');
      }
    }
    const availability = new DatabaseAvailability({ probe: () => database.dataSource.query('SELECT 1'), logger });
    const transport = await createTransport(config, {
      registry,
      retryPolicy: deliveryRetryPolicyFrom(config),
      logger,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    const clock = options.clock ?? systemClock;
    const queue = new MonitoredMessageQueue(transport, { logger, now: () => clock.now().getTime() });
    registerMetricCollectors(config, { registry: queue.metricsRegistry, dataSource: database.dataSource, clock, logger });
    const unitOfWork = new UnitOfWork(database.dataSource, registry, clock);
    const relay = new OutboxRelay(database.dataSource, queue, logger, outboxRelayOptionsFrom(config));
    unitOfWork.onCommit(() => relay.loop.kick());
    const retention = new MessagingRetention(database.dataSource, clock, logger, retentionOptionsFrom(config));

    const container = new Container();
    container.bind(SHARED.UnitOfWork).toConstantValue(unitOfWork);
    container.bind(SHARED.MessageQueue).toConstantValue(queue);
    container.bind(SHARED.Logger).toConstantValue(logger);
    container.bind(SHARED.Clock).toConstantValue(clock);
    container.bind(SHARED.Availability).toConstantValue(availability);
    const instance = newWorkerInstance();
    container.bind(SHARED.InstanceId).toConstantValue(instance.id);
    if (isQueueDepthSource(transport)) container.bind<QueueDepthSource>(SHARED.QueueDepths).toConstantValue(transport);
    // The agent the config asks for (AGENT), bound before the module so it does not bind its default.
    const agent = config.CONTEXTS.includes('product-definition') ? productManagerAgentFrom(config, logger, queue.metricsRegistry) : undefined;
    if (agent) container.bind(PRODUCT_DEFINITION.ProductManagerAgent).toConstantValue(agent);
    bindMetricPorts(container, config, queue.metricsRegistry);
    await container.loadAsync(...modulesFor(config, options));
    const contexts = config.CONTEXTS.map((name) => container.get<BoundedContext>(CONTEXT_TOKENS[name]));

    const http = Fastify({ logger: false, bodyLimit: config.BODY_LIMIT_BYTES, ...serverTimeouts(config) });
    // First, so that their hooks cover every route registered below.
    registerSecurityHeaders(http);
    await registerAuthLimits(http, config, { logger, registry: queue.metricsRegistry });
    const humanInteraction = config.CONTEXTS.includes('human-interaction');
    // Human interaction knows issued tokens too; a process without it knows configured ones only.
    const directory = humanInteraction ? container.get<HumanInteractionAuthenticator>(HUMAN_INTERACTION.UserDirectory) : undefined;
    const authenticate: BearerAuthenticator = directory
      ? (token, refused) => directory.authenticate(token, refused)
      : configuredTokensAuthenticator(options.users);
    // Admin actions go to human interaction's audit log when it runs here.
    const ops = humanInteraction ? container.get<OpsConsole>(HUMAN_INTERACTION.OpsConsole) : undefined;
    const audit: AdminAudit | undefined = ops
      ? (caller, action, target, work) => ops.audited({ id: caller.id, name: caller.id, roles: caller.roles }, action, target, null, work)
      : undefined;
    registerAdminRoutes(http, { deadLetters: queue, authenticate, availability, ...(audit ? { audit } : {}) });
    registerDocsRoutes(http, { humanInteraction });
    if (humanInteraction) {
      container.get<HumanInteractionHttpApi>(HUMAN_INTERACTION.HttpApi).register(http);
      container.get<{ register(app: FastifyInstance): void }>(HUMAN_INTERACTION.Web).register(http);
    }
    const publicAddress = humanInteraction ? container.get<PublicAddress>(HUMAN_INTERACTION.PublicAddress) : undefined;
    registerWorkersRoutes(http, { workers: () => listWorkers(database.dataSource), authenticate });
    const workCounter = new WorkCounter();
    const loops = contexts.flatMap((context) => context.loops);
    const workers = new WorkerRegistry(
      { contexts: config.CONTEXTS, heartbeatMs: config.WORKER_HEARTBEAT_MS, leaseMs: config.WORKER_LEASE_MS },
      {
        dataSource: database.dataSource,
        logger,
        instance,
        load: () => workLoad(workCounter, loops),
        // Each context that holds leases releases a gone instance's with its own SQL.
        releasers: contexts.flatMap((context): LeaseReleaser[] => {
          const release = context.releaseLeasesOf?.bind(context);
          return release ? [{ context: context.name, releaseLeasesOf: release }] : [];
        }),
        metrics: new WorkerMetrics(queue.metricsRegistry),
      },
    );
    return new Application(
      config,
      database,
      transport,
      queue,
      relay,
      http,
      contexts,
      logger,
      publicAddress,
      retention,
      agent,
      workers,
      workCounter,
      availability,
    );
  }

  /** Subscribes every context, then starts every loop: scanners, pollers, workers, the outbox relay, the retention sweep. */
  async start(): Promise<void> {
    await this.workers.start();
    // A handler that fails on an outage is held and run again when PostgreSQL answers, inside
    // the count (one delivery, one handled) and inside monitoring (no failure logged for it).
    // One listener per held message (bounded by the prefetch of each consumer): expected, not a leak.
    setMaxListeners(1_000, this.stopping.signal);
    const counted = outageAwareQueue(countingQueue(this.queue, this.workCounter), {
      availability: this.availability,
      logger: this.logger,
      signal: this.stopping.signal,
    });
    for (const context of this.contexts) this.subscriptions.push(...(await context.subscribe(counted)));
    for (const loop of this.loops) loop.start();
    this.started = true;
  }

  async listen(): Promise<string> {
    const url = await this.http.listen({ host: this.config.HOST, port: this.config.PORT });
    this.publicAddress?.useListeningAddress(url);
    return url;
  }

  /**
   * Graceful: stop taking HTTP requests, stop the relay (what is committed but unsent stays in the
   * outbox and goes out at the next start, or from another process), then stop taking new work
   * and let in-flight handlers finish, then close the transport and the database. The relay stops
   * first so nothing is marked sent into a transport that is about to close.
   */
  async stop(): Promise<void> {
    // The registry shows this process draining while it finishes; a clean exit deletes its row.
    await this.workers.markDraining();
    await this.http.close();
    if (this.started) {
      for (const loop of this.loops) await loop.stop();
      // Handlers still waiting out an outage give their messages back now.
      this.stopping.abort();
      for (const context of this.contexts) await context.drain?.();
      for (const unsubscribe of this.subscriptions.splice(0)) await unsubscribe();
    }
    await this.workers.deregister();
    await this.queue.close();
    this.availability.close();
    await this.database.close();
    this.logger.info('stopped');
  }
}

/**
 * Slow clients do not hold connections: the whole request (headers and body) must arrive within
 * HTTP_REQUEST_TIMEOUT_MS and its headers within HTTP_HEADERS_TIMEOUT_MS (node answers 408 and
 * closes), an idle kept-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT_MS and a silent one
 * after HTTP_CONNECTION_TIMEOUT_MS. Node applies the request timeout only until the request is
 * received, so a live event stream (a GET whose request is complete at once) is not cut by it;
 * the stream turns the idle timeout off for its own socket (its heartbeat and session checks
 * bound it instead). Node checks the first two every `connectionsCheckingInterval` (30 s unless
 * set), so that is set to at most a second.
 */
function serverTimeouts(config: Config) {
  const request = config.HTTP_REQUEST_TIMEOUT_MS;
  const headers = request > 0 ? Math.min(config.HTTP_HEADERS_TIMEOUT_MS, request) : config.HTTP_HEADERS_TIMEOUT_MS;
  return {
    requestTimeout: request,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout: headers, connectionsCheckingInterval: Math.min(1_000, headers) },
  };
}

/** Message handlers and claimed items in flight and finished, for the registry's heartbeat. */
function workLoad(counter: WorkCounter, loops: readonly unknown[]): WorkLoad {
  const claimLoops = loops.filter((loop): loop is BackgroundLoop<unknown> => loop instanceof BackgroundLoop);
  return {
    inFlight: counter.inFlight + claimLoops.reduce((n, loop) => n + loop.handling, 0),
    handled: counter.handled + claimLoops.reduce((n, loop) => n + loop.handled, 0),
  };
}
