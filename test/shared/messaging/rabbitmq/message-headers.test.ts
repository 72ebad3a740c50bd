import type { Message } from 'amqplib';
import { attemptOf, copyProperties, deadLetterHeaders, toDeadLetter } from '../../../../src/shared/messaging/rabbitmq/message-headers';

function delivery(headers: Record<string, unknown>, redelivered = false, body: unknown = { type: 'x.y.v1', key: 't' }): Message {
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    fields: { deliveryTag: 1, redelivered, exchange: '', routingKey: 'q' },
    properties: {
      contentType: 'application/json',
      contentEncoding: undefined,
      headers,
      deliveryMode: 2,
      priority: undefined,
      correlationId: 'corr',
      replyTo: undefined,
      expiration: undefined,
      messageId: 'msg-1',
      timestamp: undefined,
      type: 'x.y.v1',
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    },
  };
}

describe('RabbitMQ message headers', () => {
  it.each([
    ['a first delivery', {}, false, 1],
    ['a redelivery from a classic queue', {}, true, 2],
    ['the second redelivery from a quorum queue', { 'x-delivery-count': 2 }, true, 3],
    ['a retry copy after two failures', { 'x-refinery-attempts': 2 }, false, 3],
    ['a retry copy redelivered once', { 'x-refinery-attempts': 2, 'x-delivery-count': 1 }, true, 4],
    ['a garbled counter', { 'x-refinery-attempts': 'lots' }, false, 1],
  ])('numbers %s', (_, headers, redelivered, attempt) => {
    expect(attemptOf(delivery(headers, redelivered))).toBe(attempt);
  });

  it('leaves the broker’s headers out of a copy, and the failure headers too when replaying', () => {
    const failed = delivery({ key: 't', 'x-delivery-count': 3, 'x-death': [{ count: 1 }], 'x-refinery-attempts': 2, 'x-refinery-publish-id': 'p' });
    expect(copyProperties(failed, { extra: 1 }).headers).toEqual({ key: 't', 'x-refinery-attempts': 2, extra: 1 });
    expect(copyProperties(failed, {}, true)).toMatchObject({
      persistent: true,
      messageId: 'msg-1',
      correlationId: 'corr',
      type: 'x.y.v1',
      headers: { key: 't' },
    });
  });

  it('reads a dead letter back with its reason, even when its body is not JSON', () => {
    const failure = {
      consumer: 'c.one',
      errorClass: 'Boom',
      errorMessage: 'it broke',
      attempts: 3,
      firstFailedAt: '2026-01-01T00:00:00.000Z',
      lastFailedAt: '2026-01-01T00:00:01.000Z',
    };
    expect(toDeadLetter('c.one', delivery(deadLetterHeaders(failure, 'dl-1'), false, 'not json'))).toEqual({
      id: 'dl-1',
      message: 'not json',
      messageType: 'x.y.v1',
      ...failure,
    });
  });
});
