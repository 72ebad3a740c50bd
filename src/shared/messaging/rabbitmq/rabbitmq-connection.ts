import { type ChannelModel, type ConfirmChannel, connect, type Message, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../../logging/logger';
import { describeError, RetryableError } from '../../kernel/errors';

export interface ReconnectOptions {
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Attempts at start-up before `open()` gives up; after the first connection it never gives up. */
  readonly initialMaxRetries?: number;
}

export interface RabbitMqConnectionOptions {
  readonly url: string;
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
  publisher: ConfirmChannel | undefined;
}

/**
 * One AMQP connection, recovered by amqplib 2.x itself (`recovery` option: backoff with jitter).
 * amqplib brings the connection back but not our channels: the publishing channel is rebuilt in
 * its `setup` hook and consumers are restarted from `onConnected`. While it is down, `session()`
 * is undefined so publishers fail fast instead of waiting for a connection that may never come.
 */
export class RabbitMqConnection {
  private recovering: RecoveringChannelModel | undefined;
  private current: Session | undefined;
  private closed = false;

  constructor(private readonly options: RabbitMqConnectionOptions) {}

  async open(): Promise<void> {
    const { reconnect = {}, logger } = this.options;
    // waitForConnect false: listeners go on before the first attempt, so no event is missed.
    this.recovering = await connect(this.options.url, {
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
      recovery: {
        initialDelay: reconnect.initialDelayMs ?? 100,
        maxDelay: reconnect.maxDelayMs ?? 5_000,
        initialMaxRetries: reconnect.initialMaxRetries ?? 5,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    // An unhandled 'error' would crash the process; recovery reacts to the 'close' that follows.
    this.recovering.on('error', (error: Error) => logger.warn({ err: describeError(error) }, 'RabbitMQ connection error'));
    this.recovering.on('disconnect', (error: Error) => {
      this.current = undefined;
      logger.warn({ err: describeError(error) }, 'RabbitMQ connection lost; reconnecting');
    });
    // E.g. a queue declared elsewhere with other arguments: setup fails on every attempt.
    this.recovering.on('connect-failed', (error: Error) => logger.warn({ err: describeError(error) }, 'RabbitMQ connection attempt failed'));
    this.recovering.on('reconnect-failed', (error: Error) => logger.error({ err: describeError(error) }, 'RabbitMQ reconnection abandoned'));
    this.recovering.on('connect', () => {
      logger.info('connected to RabbitMQ');
      this.options.onConnected();
    });
    if (this.closed) {
      await this.close();
      throw new Error('the RabbitMQ connection was closed while opening');
    }
    try {
      await this.recovering.waitForConnect();
    } catch (error) {
      this.recovering = undefined;
      throw new RetryableError(`cannot connect to RabbitMQ: ${describeError(error).errorMessage}`, { cause: error });
    }
  }

  isConnected(): boolean {
    return this.current !== undefined;
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

  async close(): Promise<void> {
    this.closed = true;
    const recovering = this.recovering;
    this.recovering = undefined;
    this.current = undefined;
    await recovering?.close();
  }

  private async setup(model: ChannelModel): Promise<void> {
    // amqplib attaches its own 'error' listener only after setup: until then, ours keeps a
    // connection error from becoming an uncaught exception.
    model.on('error', () => undefined);
    const session: Session = { model, publisher: undefined };
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
