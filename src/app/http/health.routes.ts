import type { FastifyInstance } from 'fastify';
import type { AgentPoolSwitch } from '../../contexts/product-definition/domain/agent-pool';
import type { AgentAvailability } from '../../contexts/product-definition/domain/product-manager-agent';
import type { MonitoredMessageQueue } from '../../shared/messaging/monitoring/monitored-message-queue';
import type { Database } from '../../shared/persistence/data-source';
import type { DependencyAvailability } from '../../shared/kernel/availability';
import { describeError } from '../../shared/kernel/errors';

export interface HealthDeps {
  readonly database: Database;
  /** Told when the readiness probe finds PostgreSQL down, so consumers and the API know at once. */
  readonly availability?: DependencyAvailability;
  readonly queue: MonitoredMessageQueue;
  readonly isStarted: () => boolean;
  /** The broker connection, when the transport has one (RabbitMQ). */
  readonly brokerConnected?: () => boolean;
  /** The product-manager agent's availability, when this process runs one that can pause (the LLM agent). */
  readonly agentAvailability?: () => AgentAvailability;
  /** The operators' pause switch of the agent pool, when this process runs product definition. */
  readonly agentPool?: () => Promise<AgentPoolSwitch>;
}

/**
 * `agentPool: paused` while an operator has paused the pool (every process of product definition
 * claims nothing then), with who, when and why; still ready, since work only waits.
 */
async function agentPoolStatus(deps: HealthDeps): Promise<Record<string, string>> {
  if (!deps.agentPool) return {};
  let pool: AgentPoolSwitch;
  try {
    pool = await deps.agentPool();
  } catch {
    return { agentPool: 'unknown' };
  }
  if (!pool.paused) return { agentPool: 'running' };
  const when = pool.changedAt ? ` at ${pool.changedAt.toISOString()}` : '';
  return {
    agentPool: 'paused',
    agentPoolReason: `paused by an operator (${pool.by ?? 'unknown'})${when}${pool.reason ? `: ${pool.reason}` : ''}`,
    ...(pool.by ? { agentPoolPausedBy: pool.by } : {}),
    ...(pool.changedAt ? { agentPoolPausedAt: pool.changedAt.toISOString() } : {}),
  };
}

/**
 * `degraded` while the agent is paused (its circuit breaker is open, or the endpoint asked it to
 * wait): the process stays ready, since work only queues until the agent is back.
 */
function agentStatus(deps: HealthDeps): Record<string, string> {
  const availability = deps.agentAvailability?.() ?? { state: 'available' };
  if (availability.state === 'available') return { agent: 'available' };
  return {
    agent: 'degraded',
    ...(availability.reason ? { agentReason: availability.reason } : {}),
    ...(availability.until ? { agentUntil: availability.until.toISOString() } : {}),
  };
}

/** Liveness, readiness (started, the database answers, the broker is connected; the agent's and the pool switch's state reported) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const broker = deps.brokerConnected ? (deps.brokerConnected() ? 'connected' : 'disconnected') : 'in-memory';
    let database = 'up';
    let databaseError: string | undefined;
    try {
      await deps.database.dataSource.query('SELECT 1');
    } catch (error) {
      database = 'down';
      databaseError = describeError(error).errorMessage;
      await deps.availability?.diagnose(error);
    }
    const pool = database === 'up' ? await agentPoolStatus(deps) : deps.agentPool ? { agentPool: 'unknown' } : {};
    const ready = deps.isStarted() && database === 'up' && broker !== 'disconnected';
    // Which dependency keeps it from being ready, in words an operator acts on.
    const unavailable = [...(database === 'down' ? ['PostgreSQL'] : []), ...(broker === 'disconnected' ? ['RabbitMQ'] : [])];
    const reason = [
      ...(database === 'down' ? [`PostgreSQL does not answer (${databaseError ?? 'no answer'})`] : []),
      ...(broker === 'disconnected' ? ['RabbitMQ is not connected (reconnecting)'] : []),
      ...(deps.isStarted() ? [] : ['still starting']),
    ];
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      ...(ready ? {} : { unavailable, reason: reason.join('; ') }),
      started: deps.isStarted(),
      database,
      databaseKind: deps.database.kind,
      broker,
      ...agentStatus(deps),
      ...pool,
    });
  });
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await deps.queue.metricsText()));
}
