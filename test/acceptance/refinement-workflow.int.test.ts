import { randomBytes } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { Api } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { refineVagueRequestToApproval } from '../support/refinement-scenario';

/** The same walk-through as the acceptance test, on the real PostgreSQL and RabbitMQ. */
describe('the refinement workflow on PostgreSQL and RabbitMQ', () => {
  let scratch: ScratchDatabase;
  let app: Application;
  let admin: BrokerAdmin;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: { RABBITMQ_URL, RABBITMQ_PREFIX: `refinery-test-${randomBytes(4).toString('hex')}`, RABBITMQ_QUEUE_TYPE: 'quorum' },
    });
  });
  afterAll(async () => {
    const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
    await app.stop();
    await admin.deleteTopology(topology);
    await admin.close();
    await scratch.drop();
  });

  it('takes a vague request to APPROVED with the whole history, and dead-letters nothing', async () => {
    expect(app.transport).toBeInstanceOf(RabbitMqMessageQueue);
    await expect(refineVagueRequestToApproval(new Api(app))).resolves.toBe('APPROVED');
    expect(await app.queue.listDeadLetters()).toEqual([]);
    const ready = await app.http.inject({ method: 'GET', url: '/ready' });
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', broker: 'connected', databaseKind: 'postgres' });
  });
});
