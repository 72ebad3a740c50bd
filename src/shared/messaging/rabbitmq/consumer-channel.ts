import type { Channel, Message } from 'amqplib';
import type { DeliveryChannel } from './delivery-processor';

/** A consumer's channel, tracking whether it is still open (acks on a closed one must not throw). */
export class ConsumerChannel implements DeliveryChannel {
  private open = true;

  constructor(readonly channel: Channel) {
    channel.on('close', () => (this.open = false));
  }

  isOpen(): boolean {
    return this.open;
  }

  ack(message: Message): void {
    this.settle(() => this.channel.ack(message));
  }

  requeue(message: Message): void {
    this.settle(() => this.channel.nack(message, false, true));
  }

  private settle(send: () => void): void {
    if (!this.open) return;
    try {
      send();
    } catch {
      // The channel is closing: it already gave its unacked messages back, so nothing is lost.
    }
  }
}
