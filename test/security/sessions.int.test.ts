import { randomBytes } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';

/**
 * Two processes serving the web inbox on the real PostgreSQL and RabbitMQ: a sign-out in one
 * ends the session in the other too (the revoked id is in PostgreSQL, not in a process).
 */
describe('signing out in one process ends the session in every process', () => {
  let scratch: ScratchDatabase;
  let broker: BrokerAdmin;
  const apps: Application[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    broker = await BrokerAdmin.open();
    const prefix = `refinery-signout-${randomBytes(4).toString('hex')}`;
    const env = (contexts: string) => ({
      CONTEXTS: contexts,
      DATABASE_URL: scratch.url,
      RABBITMQ_URL,
      RABBITMQ_PREFIX: prefix,
      RABBITMQ_QUEUE_TYPE: 'classic',
    });
    apps.push(await startTestApp({ databaseUrl: scratch.url, env: env('task-management,orchestration,product-definition,human-interaction') }));
    apps.push(await startTestApp({ databaseUrl: scratch.url, env: env('human-interaction') }));
    for (const app of apps) urls.push(await app.http.listen({ host: '127.0.0.1', port: 0 }));
  }, 120_000);
  afterAll(async () => {
    const topologies = apps.map((app) => transportOf(app, RabbitMqMessageQueue).declaredTopology());
    for (const app of [...apps].reverse()) await app.stop();
    for (const topology of topologies) await broker.deleteTopology(topology);
    await broker?.close();
    await scratch?.drop();
  });

  it('sends a copy of the cookie to the sign-in page in the other process', async () => {
    const [first, second] = urls as [string, string];
    const browser = new BrowserLike(first);
    await browser.signIn('alice');
    const elsewhere = new BrowserLike(second);
    elsewhere.sessionCookie = browser.sessionCookie;
    expect((await elsewhere.get('/inbox')).status).toBe(200);

    await browser.post('/inbox/logout');

    const after = await elsewhere.get('/inbox');
    expect([after.status, after.location]).toEqual([303, '/inbox/login?next=%2Finbox']);
  });
});
