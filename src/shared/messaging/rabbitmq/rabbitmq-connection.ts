import { type ChannelModel, type ConfirmChannel, connect, type Message, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../../logging/logger';
import { describeError, RetryableError } from '../../kernel/errors';
import { BrokerNodes } from './rabbitmq-nodes';

export interface ReconnectOptions {
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * How long `open()` keeps trying (with backoff, every node in turn) before it gives up; after
   * the first connection it never gives up. 0: one attempt per node.
   */
  readonly startupTimeoutMs?: number;
  /**
   * A connection whose every publish has been nacked this long (no confirm in between) is closed
   * and made again, on the next node: see `publishSettled`.
   */
  readonly nackedReconnectAfterMs?: number;
}

/** What the connection does where its options say nothing. */
export const DEFAULT_RECONNECT_OPTIONS = {
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  startupTimeoutMs: 180_000,
  nackedReconnectAfterMs: 5_000,
} as const satisfies ReconnectOptions;

export interface RabbitMqConnectionOptions {
  /** One node's URL, or several (an array or a comma-separated list): the nodes of one cluster. */
  readonly url: string | readonly string[];
  /** Shown in the broker's connection list (`connection_name`). */
  readonly connectionName: string;
  readonly logger: Logger;
  readonly reconnect?: ReconnectOptions;
  /** Runs on every new connection before it is used: declares what publishing needs. */
  readonly setup: (publisher: ConfirmChannel) => Promise<void>;
  /** Runs after every (re)connect: consumers re-subscribe here. */
  readonly onConnected: () => void;
  /** A message the broker returned as unroutable (mandatory publish). */
  readonly onReturn: (message: Message) => void;
}

interface Session {
  readonly model: ChannelModel;
  /** `host:port` of the node this connection is on. */
  readonly node: string;
  publisher: ConfirmChannel | undefined;
  /** Per exchange and routing key: since when its publishes on this connection are nacked, none confirmed since. */
  readonly nackedSince: Map<string, number>;
}

/**
 * One AMQP connection, recovered by amqplib 2.x itself (`recovery` option: backoff with jitter).
 * amqplib brings the connection back but not our channels: the publishing channel is rebuilt in
 * its `setup` hook and consumers are restarted from `onConnected`. While it is down, `session()`
 * is undefined so publishers fail fast instead of waiting for a connection that may never come.
 *
 * With several node URLs (a cluster), every failed attempt and every lost connection moves on to
 * the next node (see BrokerNodes). Start-up keeps trying, logging what it waits for, until
 * `startupTimeoutMs`; then `open()` rejects naming RabbitMQ and the nodes it tried.
 */
export class RabbitMqConnection {
  private recovering: RecoveringChannelModel | undefined;
  private current: Session | undefined;
  private closed = false;
  private readonly nodes: BrokerNodes;

  constructor(private readonly options: RabbitMqConnectionOptions) {
    this.nodes = new BrokerNodes(options.url);
  }

  async open(): Promise<void> {
    const { logger } = this.options;
    const reconnect = { ...DEFAULT_RECONNECT_OPTIONS, ...this.options.reconnect };
    const startedAt = Date.now();
    let lastError: unknown;
    let connectedOnce = false;
    // waitForConnect false: listeners go on before the first attempt, so no event is missed.
    const recovering = await connect(this.nodes.target(), {
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
      recovery: {
        initialDelay: reconnect.initialDelayMs,
        maxDelay: Math.max(reconnect.initialDelayMs, reconnect.maxDelayMs),
        // Start-up is bounded by time (below), not by a count of attempts.
        initialMaxRetries: reconnect.startupTimeoutMs === 0 ? this.nodes.size - 1 : Infinity,
        // Every node of the list is tried in turn before each wait.
        calculateDelay: (attempt: number) => this.delayBefore(attempt, reconnect),
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    this.recovering = recovering;
    // An unhandled 'error' would crash the process; recovery reacts to the 'close' that follows.
    recovering.on('error', (error: Error) => logger.warn({ err: describeError(error), node: this.nodes.current() }, 'RabbitMQ connection error'));
    recovering.on('disconnect', (error: Error) => {
      const node = this.current?.node ?? this.nodes.current();
      this.current = undefined;
      if (this.nodes.size > 1) this.nodes.next();
      logger.warn({ err: describeError(error), node, next: this.nodes.current() }, `RabbitMQ connection to ${node} lost; reconnecting`);
    });
    recovering.on('connect-failed', (error: Error) => {
      lastError = error;
      const node = this.nodes.current();
      if (this.nodes.size > 1) this.nodes.next();
      if (connectedOnce) {
        // E.g. a queue declared elsewhere with other arguments: setup fails on every attempt.
        logger.warn({ err: describeError(error), node, next: this.nodes.current() }, `RabbitMQ connection attempt to ${node} failed`);
      } else {
        const waitedMs = Date.now() - startedAt;
        logger.warn(
          { err: describeError(error), node, next: this.nodes.current(), waitedMs, timeoutMs: reconnect.startupTimeoutMs },
          `waiting for RabbitMQ at ${node} (${describeError(error).errorMessage}); next try ${this.nodes.current()}`,
        );
      }
    });
    recovering.on('reconnect-failed', (error: Error) => logger.error({ err: describeError(error) }, 'RabbitMQ reconnection abandoned'));
    recovering.on('connect', () => {
      connectedOnce = true;
      logger.info({ node: this.current?.node ?? this.nodes.current() }, `connected to RabbitMQ at ${this.current?.node ?? this.nodes.current()}`);
      this.options.onConnected();
    });
    if (this.closed) {
      await this.close();
      throw new Error('the RabbitMQ connection was closed while opening');
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (reconnect.startupTimeoutMs > 0) timer = setTimeout(() => resolve('timeout'), reconnect.startupTimeoutMs);
    });
    try {
      const outcome = await Promise.race([recovering.waitForConnect(), timedOut]);
      if (outcome === 'timeout') {
        this.recovering = undefined;
        await recovering.close().catch(() => undefined);
        const why = lastError === undefined ? '' : `: ${describeError(lastError).errorMessage}`;
        throw new RetryableError(
          `cannot connect to RabbitMQ at ${this.nodes.addresses().join(', ')} within ${reconnect.startupTimeoutMs} ms (STARTUP_TIMEOUT_MS)${why}`,
          { cause: lastError },
        );
      }
    } catch (error) {
      if (error instanceof RetryableError) throw error;
      this.recovering = undefined;
      throw new RetryableError(`cannot connect to RabbitMQ at ${this.nodes.addresses().join(', ')}: ${describeError(error).errorMessage}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  isConnected(): boolean {
    return this.current !== undefined;
  }

  /** `host:port` of the node the connection is on; undefined while it is down. */
  connectedNode(): string | undefined {
    return this.current?.node;
  }

  /** The live connection, or undefined while it is down. */
  model(): ChannelModel | undefined {
    return this.current?.model;
  }

  /** The publishing channel; throws a RetryableError at once when there is none. */
  publisher(): ConfirmChannel {
    const publisher = this.current?.publisher;
    if (!publisher) throw new RetryableError('RabbitMQ is not connected; publish not attempted');
    return publisher;
  }

  /**
   * Every publisher confirm or nack, from ConfirmedPublisher, by exchange and routing key. Seen on
   * RabbitMQ 3.10.8 in the cluster test, after failing over from a node that was stopping: on the
   * new connection, the publishes of some message types were nacked for as long as it lived while
   * others were confirmed, and some consumers got nothing more, though every queue had a leader
   * and its members online. So a connection on which one exchange and routing key has had nothing
   * but nacks for `nackedReconnectAfterMs` is closed, and amqplib's recovery makes another (on
   * the next node), with new channels.
   */
  publishSettled(channel: ConfirmChannel, route: string, confirmed: boolean): void {
    const session = this.current;
    if (!session || session.publisher !== channel) return;
    if (confirmed) {
      session.nackedSince.delete(route);
      return;
    }
    const now = Date.now();
    const since = session.nackedSince.get(route) ?? now;
    session.nackedSince.set(route, since);
    const after = this.options.reconnect?.nackedReconnectAfterMs ?? DEFAULT_RECONNECT_OPTIONS.nackedReconnectAfterMs;
    if (now - since < after || this.closed) return;
    this.options.logger.warn(
      { node: session.node, route, nackedForMs: now - since },
      `every publish to ${route} nacked by RabbitMQ at ${session.node} for ${now - since} ms; reconnecting`,
    );
    this.current = undefined;
    void session.model.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const recovering = this.recovering;
    this.recovering = undefined;
    this.current = undefined;
    await recovering?.close();
  }

  /**
   * Before retry n (the first try is 0; each retry goes to the next node): none while this round's
   * nodes are untried, so a lost node is replaced at once; after each full round, amqplib's curve
   * (doubling from `initialDelayMs`, ±20 % jitter, never above `maxDelayMs`).
   */
  private delayBefore(attempt: number, reconnect: Required<ReconnectOptions>): number {
    const size = this.nodes.size;
    if (attempt % size !== 0) return 0;
    const round = attempt / size;
    const cap = Math.max(reconnect.initialDelayMs, reconnect.maxDelayMs);
    const base = Math.min(cap / 1.2, reconnect.initialDelayMs * 2 ** (round - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private async setup(model: ChannelModel): Promise<void> {
    // amqplib attaches its own 'error' listener only after setup: until then, ours keeps a
    // connection error from becoming an uncaught exception.
    model.on('error', () => undefined);
    const session: Session = { model, node: this.nodes.current(), publisher: undefined, nackedSince: new Map() };
    session.publisher = await this.openPublisher(session);
    if (!this.closed) this.current = session;
  }

  private async openPublisher(session: Session): Promise<ConfirmChannel> {
    const channel = await session.model.createConfirmChannel();
    channel.on('error', (error: Error) => this.options.logger.warn({ err: describeError(error) }, 'RabbitMQ publishing channel error'));
    channel.on('return', (message: Message) => this.options.onReturn(message));
    channel.on('close', () => {
      if (session.publisher !== channel) return;
      session.publisher = undefined;
      // Closed by the broker while the connection lives on (e.g. an exchange was deleted)? A
      // connection loss closes its channels before it reports itself, hence the look a tick later.
      setTimeout(() => {
        if (this.current === session && session.publisher === undefined) void this.reopenPublisher(session);
      }, 0);
    });
    await this.options.setup(channel);
    return channel;
  }

  private async reopenPublisher(session: Session): Promise<void> {
    try {
      session.publisher = await this.openPublisher(session);
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'cannot reopen the RabbitMQ publishing channel; closing the connection to recover');
      await session.model.close().catch(() => undefined);
    }
  }
}
