import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'amqplib';
import type { Logger } from '../../logging/logger';
import type { ContractRegistry } from '../contract-registry';
import type { Envelope } from '../envelope';
import { describeError } from '../../kernel/errors';
import { decideRetry, type RetryPolicy } from '../../kernel/retry';
import type { DeliveryObservers } from '../delivery-observers';
import type { MessageHandler } from '../message-queue';
import type { ConfirmedPublisher } from './confirmed-publisher';
import {
  attemptOf,
  copyProperties,
  deadLetterHeaders,
  type FailureRecord,
  hasStartedOver,
  HEADER,
  headerText,
  parseBody,
  traceCarrierOfMessage,
  typeOf,
} from './message-headers';
import { RABBITMQ_SYSTEM, tracedMessage } from '../message-tracing';
import { traceProcess } from '../../tracing/spans';
import type { ConsumerQueues } from './rabbitmq-topology';

/** The channel a message came on: acks must go back on it, and fail quietly once it is closed. */
export interface DeliveryChannel {
  isOpen(): boolean;
  ack(message: Message): void;
  /** Gives the message back to the broker for redelivery. */
  requeue(message: Message): void;
}

export interface DeliveryContext {
  readonly consumer: string;
  readonly queues: ConsumerQueues;
  readonly handler: MessageHandler;
  readonly channel: DeliveryChannel;
  /**
   * Wait out retries here, holding the message, instead of in the retry queue: an ordered
   * consumer must not let later messages of the key overtake the one being retried.
   */
  readonly retryInProcess: boolean;
  /** Aborted when the consumer stops: waits end, and the unacked message goes back to the broker. */
  readonly signal: AbortSignal;
}

export interface DeliveryProcessorDeps {
  readonly registry: ContractRegistry;
  readonly retryPolicy: RetryPolicy;
  readonly random: () => number;
  readonly now: () => Date;
  readonly publisher: ConfirmedPublisher;
  readonly observers: DeliveryObservers;
  readonly logger: Logger;
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides the fate of one delivery: ack on success; on failure a retry copy (with backoff) or a
 * dead letter. A copy is always confirmed by the broker BEFORE the original is acked, so a crash
 * in between duplicates a message but never loses one.
 */
export class DeliveryProcessor {
  constructor(private readonly deps: DeliveryProcessorDeps) {}

  /**
   * Never rejects. Runs the handler synchronously up to its first await, so arrival order holds.
   * `body` is `parseBody(message.content)`: the consumer parsed it already, for the ordering key.
   */
  async process(message: Message, body: unknown, context: DeliveryContext): Promise<void> {
    let attempt = attemptOf(message);
    let envelope: Envelope;
    try {
      envelope = this.deps.registry.validate(body);
    } catch (error) {
      await this.deadLetter(message, context, error, attempt, undefined);
      return;
    }
    let firstFailedAt = headerText(message, HEADER.firstFailedAt);
    let startedOver = hasStartedOver(message);
    const trace = traceCarrierOfMessage(message);
    const traced = tracedMessage(envelope);
    for (;;) {
      try {
        const where = { system: RABBITMQ_SYSTEM, destination: context.queues.work, consumer: context.consumer, attempt };
        const delivery = { consumer: context.consumer, attempt, redelivered: attempt > 1 || message.fields.redelivered };
        await traceProcess(traced, trace, where, () => context.handler(envelope, delivery));
        context.channel.ack(message);
        return;
      } catch (error) {
        const now = this.deps.now();
        firstFailedAt ??= now.toISOString();
        const failingForMs = Math.max(0, now.getTime() - Date.parse(firstFailedAt) || 0);
        const decision = decideRetry(this.deps.retryPolicy, error, attempt, this.deps.random, startedOver, failingForMs);
        if (!decision.retry) {
          await this.deadLetter(message, context, error, attempt, firstFailedAt);
          return;
        }
        const { delayMs } = decision;
        if (decision.startOver) this.startingOver(context, envelope, attempt, delayMs, error);
        if (!context.retryInProcess) {
          // Starting over: the copy says no attempt failed yet, and that it started over.
          const failed = decision.startOver ? 0 : attempt;
          await this.scheduleRetry(message, context, { envelope, error, attempt: failed, delayMs, firstFailedAt, startOver: decision.startOver === true });
          return;
        }
        this.deps.observers.retryScheduled({ consumer: context.consumer, message: envelope, attempt, delayMs, error });
        if (!(await pause(delayMs, context.signal))) return;
        if (decision.startOver) {
          startedOver = true;
          attempt = 1;
        } else attempt += 1;
      }
    }
  }

  private async scheduleRetry(
    message: Message,
    context: DeliveryContext,
    retry: { envelope: Envelope; error: unknown; attempt: number; delayMs: number; firstFailedAt: string; startOver: boolean },
  ): Promise<void> {
    // A closed channel already gave the message back to the broker: a copy would duplicate it.
    if (!context.channel.isOpen()) return;
    const headers = {
      [HEADER.attempts]: retry.attempt,
      [HEADER.firstFailedAt]: retry.firstFailedAt,
      ...(retry.startOver ? { [HEADER.startedOver]: this.deps.now().toISOString() } : {}),
    };
    try {
      await this.deps.publisher.publish({
        exchange: '',
        routingKey: context.queues.retry,
        content: message.content,
        properties: { ...copyProperties(message, headers), expiration: String(retry.delayMs) },
        // Mandatory: were the retry queue gone, the copy would vanish and the ack would lose the message.
        mandatory: true,
      });
    } catch (error) {
      await this.giveBack(message, context, error, retry.delayMs);
      return;
    }
    context.channel.ack(message);
    this.deps.observers.retryScheduled({
      consumer: context.consumer,
      message: retry.envelope,
      attempt: retry.attempt,
      delayMs: retry.delayMs,
      error: retry.error,
    });
  }

  private startingOver(context: DeliveryContext, envelope: Envelope, attempts: number, delayMs: number, error: unknown): void {
    this.deps.logger.warn(
      { consumer: context.consumer, messageId: envelope.messageId, messageType: envelope.type, attempts, delayMs, err: describeError(error) },
      'attempts used up on a retryable error; starting over once before dead-lettering',
    );
  }

  private async deadLetter(message: Message, context: DeliveryContext, error: unknown, attempts: number, firstFailedAt: string | undefined): Promise<void> {
    if (!context.channel.isOpen()) return;
    const at = this.deps.now().toISOString();
    const failure: FailureRecord = { consumer: context.consumer, ...describeError(error), attempts, firstFailedAt: firstFailedAt ?? at, lastFailedAt: at };
    const id = randomUUID();
    try {
      await this.deps.publisher.publish({
        exchange: '',
        routingKey: context.queues.deadLetter,
        content: message.content,
        properties: copyProperties(message, deadLetterHeaders(failure, id)),
        mandatory: true,
      });
    } catch (publishError) {
      await this.giveBack(message, context, publishError, this.deps.retryPolicy.initialDelayMs);
      return;
    }
    context.channel.ack(message);
    const body = parseBody(message.content);
    this.deps.observers.deadLettered({ deadLetter: { id, message: body, messageType: typeOf(message, body), ...failure }, error });
  }

  /** The copy could not be stored: hand the original back, after a pause so a broken broker is not hammered. */
  private async giveBack(message: Message, context: DeliveryContext, error: unknown, delayMs: number): Promise<void> {
    this.deps.logger.warn(
      { consumer: context.consumer, messageId: message.properties.messageId, err: describeError(error) },
      'could not store a retry or dead-letter copy; requeueing the message',
    );
    await pause(Math.max(delayMs, 100), context.signal);
    context.channel.requeue(message);
  }
}
