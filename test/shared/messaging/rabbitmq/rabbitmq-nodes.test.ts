import { BrokerNodes, brokerAddress } from '../../../../src/shared/messaging/rabbitmq/rabbitmq-nodes';

describe('BrokerNodes', () => {
  it('hands amqplib one object URL whose fields follow the current node, wrapping around', () => {
    const nodes = new BrokerNodes('amqp://alice:p%40ss@node1:5701/my%2Fvhost?heartbeat=10, amqp://node2 ,amqps://[::1]:5703');
    const target = nodes.target();
    expect(nodes.addresses()).toEqual(['node1:5701', 'node2:5672', '[::1]:5703']);
    expect({ ...target }).toMatchObject({
      protocol: 'amqp',
      hostname: 'node1',
      port: 5701,
      username: 'alice',
      password: 'p@ss',
      vhost: 'my%2Fvhost',
      heartbeat: 10,
    });
    nodes.next();
    expect(nodes.current()).toBe('node2:5672');
    // No credentials in the URL: amqplib's own default (guest) applies, as with a string URL.
    expect([target.hostname, target.port, target.username, target.password, target.vhost]).toEqual(['node2', 5672, undefined, undefined, '']);
    nodes.next();
    expect([target.protocol, target.hostname, target.port]).toEqual(['amqps', '::1', 5703]);
    nodes.next();
    expect(nodes.current()).toBe('node1:5701');
  });

  it('refuses an entry that is not an amqp URL without echoing it', () => {
    expect(() => new BrokerNodes('amqp://node1,http://u:s3cret@node2')).toThrow(/RabbitMQ URL 2 of 2 is invalid/);
    expect(() => new BrokerNodes('amqp://node1,http://u:s3cret@node2')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    expect(() => new BrokerNodes(' , ')).toThrow(/no RabbitMQ URL/);
  });

  it('shows host:port only', () => {
    expect(brokerAddress('amqp://u:secret@rabbit.example.com')).toBe('rabbit.example.com:5672');
    expect(brokerAddress('amqps://rabbit.example.com')).toBe('rabbit.example.com:5671');
    expect(brokerAddress('http://x')).toBeUndefined();
  });
});
