import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import { RabbitMqConnection } from '../../../../src/shared/messaging/rabbitmq/rabbitmq-connection';
import { RABBITMQ_URL } from '../../../support/broker-admin';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function recordingLogger(): { logger: pino.Logger; lines: () => { msg: string; node?: string }[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as { msg: string; node?: string }) };
}

const broker = new URL(RABBITMQ_URL);
const brokerAddress = `${broker.hostname}:${broker.port || 5672}`;

describe('RabbitMqConnection with several node URLs, on the real broker', () => {
  const opened: RabbitMqConnection[] = [];
  afterAll(async () => {
    for (const connection of opened) await connection.close();
  });

  const open = (url: string, logger: pino.Logger, startupTimeoutMs: number) => {
    const connection = new RabbitMqConnection({
      url,
      connectionName: `refinery-test-${randomUUID().slice(0, 8)}`,
      logger,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200, startupTimeoutMs },
      setup: async () => undefined,
      onConnected: () => undefined,
      onReturn: () => undefined,
    });
    opened.push(connection);
    return connection;
  };

  it('skips a node that refuses connections and says which node it connected to', async () => {
    const dead = await closedPort();
    const { logger, lines } = recordingLogger();
    const connection = open(`amqp://guest:guest@127.0.0.1:${dead},${RABBITMQ_URL}`, logger, 10_000);
    await connection.open();
    expect(connection.isConnected()).toBe(true);
    expect(connection.connectedNode()).toBe(brokerAddress);
    const messages = lines().map((line) => line.msg);
    expect(messages).toContain(`connected to RabbitMQ at ${brokerAddress}`);
    expect(messages.some((msg) => msg.startsWith(`waiting for RabbitMQ at 127.0.0.1:${dead} (`))).toBe(true);
    // host:port only: the URLs' credentials are in no line.
    expect(lines().some((line) => JSON.stringify(line).includes('guest:guest'))).toBe(false);
  });

  it('keeps trying until the start-up timeout, then fails naming RabbitMQ and every node', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const { logger, lines } = recordingLogger();
    const connection = open(`amqp://127.0.0.1:${a},amqp://127.0.0.1:${b}`, logger, 1_500);
    const startedAt = Date.now();
    const failure = await connection.open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^cannot connect to RabbitMQ at 127\\.0\\.0\\.1:${a}, 127\\.0\\.0\\.1:${b} within 1500 ms \\(STARTUP_TIMEOUT_MS\\): .*connect ECONNREFUSED`),
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
    // Both nodes, in turn, several times (backoff capped at 200 ms here).
    const waited = lines().filter((line) => line.msg.startsWith('waiting for RabbitMQ at '));
    expect(new Set(waited.map((line) => line.node))).toEqual(new Set([`127.0.0.1:${a}`, `127.0.0.1:${b}`]));
    expect(waited.length).toBeGreaterThanOrEqual(6);
    expect(connection.isConnected()).toBe(false);
  });
});
