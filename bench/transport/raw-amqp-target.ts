import { type Channel, type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import type { Target } from './drivers';
import { clock, paddingFor, sentAtOf } from './ping';
import type { Sink } from './sink';

export interface RawAmqpOptions {
  readonly url: string;
  readonly queue: string;
  readonly prefetch: number;
  readonly messageBytes: number;
}

/**
 * The baseline: plain amqplib, nothing of ours. A confirm channel publishes persistent messages
 * straight to a classic durable queue; a second channel on the same connection (as the
 * RabbitMqMessageQueue does) consumes with the given prefetch and acks each message by hand.
 */
export class RawAmqpTarget implements Target {
  private readonly pad: string;

  private constructor(
    private readonly model: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly consumer: Channel,
    private readonly options: RawAmqpOptions,
  ) {
    this.pad = paddingFor(options.messageBytes, (pad) => ({ seq: 0, sentAt: clock(), pad }));
  }

  static async open(options: RawAmqpOptions, sink: Sink): Promise<RawAmqpTarget> {
    // noDelay: without it Nagle holds small frames back and the latency figures measure that.
    const model = await connect(options.url, { noDelay: true, clientProperties: { connection_name: `bench-raw-${process.pid}` } });
    model.on('error', () => undefined);
    const publisher = await model.createConfirmChannel();
    const consumer = await model.createChannel();
    await publisher.assertQueue(options.queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    await consumer.prefetch(options.prefetch);
    await consumer.consume(
      options.queue,
      (message) => {
        if (message === null) return;
        sink.handled(sentAtOf(JSON.parse(message.content.toString('utf8'))));
        consumer.ack(message);
      },
      { noAck: false },
    );
    return new RawAmqpTarget(model, publisher, consumer, options);
  }

  get bodyBytes(): number {
    return Buffer.byteLength(JSON.stringify({ seq: 0, sentAt: clock(), pad: this.pad }));
  }

  send(seq: number): Promise<void> {
    const content = Buffer.from(JSON.stringify({ seq, sentAt: clock(), pad: this.pad }));
    return new Promise<void>((resolve, reject) => {
      this.publisher.sendToQueue(this.options.queue, content, { persistent: true, contentType: 'application/json' }, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('the broker did not confirm the publish')) : resolve(),
      );
    });
  }

  /** Deletes the queue (it is this run's own) and disconnects. */
  async close(): Promise<void> {
    await this.consumer.close().catch(() => undefined);
    await this.publisher.deleteQueue(this.options.queue).catch(() => undefined);
    await this.model.close().catch(() => undefined);
  }
}
