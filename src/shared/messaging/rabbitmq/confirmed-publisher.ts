import { randomUUID } from 'node:crypto';
import type { Message, Options } from 'amqplib';
import { describeError, RetryableError } from '../../kernel/errors';
import { PublishTimeoutError } from '../errors';
import type { RabbitMqConnection } from './rabbitmq-connection';

const PUBLISH_ID_HEADER = 'x-refinery-publish-id';

export interface PublishRequest {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly properties: Options.Publish;
  /** Fail (retryably) when no queue is bound for the routing key, instead of dropping it. */
  readonly mandatory?: boolean;
}

/**
 * Publishes with publisher confirms: a publish resolves only once the broker has taken
 * responsibility for the message, rejects at once while disconnected, and rejects with a
 * PublishTimeoutError when no confirm comes in time. Every rejection is retryable; the caller
 * resends, which may duplicate (consumers dedupe by messageId).
 */
export class ConfirmedPublisher {
  /** Mandatory publishes awaiting their confirm, by publish id; set when the broker returned one. */
  private readonly returned = new Map<string, { value: boolean }>();

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly timeoutMs: number,
  ) {}

  /** The broker returns an unroutable mandatory message before it confirms it. */
  onReturn(message: Message): void {
    const id: unknown = message.properties.headers?.[PUBLISH_ID_HEADER];
    const flag = typeof id === 'string' ? this.returned.get(id) : undefined;
    if (flag) flag.value = true;
  }

  publish(request: PublishRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const channel = this.connection.publisher();
      const publishId = request.mandatory ? randomUUID() : undefined;
      const wasReturned = { value: false };
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (publishId) this.returned.delete(publishId);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new PublishTimeoutError(`no publisher confirm for ${request.routingKey} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const headers: Record<string, unknown> = { ...(request.properties.headers as Record<string, unknown> | undefined) };
      if (publishId) {
        headers[PUBLISH_ID_HEADER] = publishId;
        this.returned.set(publishId, wasReturned);
      }
      try {
        channel.publish(
          request.exchange,
          request.routingKey,
          request.content,
          { ...request.properties, ...(Object.keys(headers).length > 0 ? { headers } : { headers: undefined }), mandatory: request.mandatory ?? false },
          (error: unknown) => {
            this.connection.publishSettled(channel, `${request.exchange} ${request.routingKey}`, error === null || error === undefined);
            if (error) settle(new RetryableError(`publish of ${request.routingKey} not confirmed: ${describeError(error).errorMessage}`, { cause: error }));
            else if (wasReturned.value)
              settle(new RetryableError(`no queue is bound for ${request.routingKey} on ${request.exchange} yet; publish it again later`));
            else settle();
          },
        );
      } catch (error) {
        // amqplib throws synchronously when the channel has just closed.
        settle(new RetryableError(`publish of ${request.routingKey} failed: ${describeError(error).errorMessage}`, { cause: error }));
      }
    });
  }
}
