import { randomBytes } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { bearer, startTestApp, transportOf } from '../support/app';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';

/**
 * A process that runs only task management (CONTEXTS subset) has no /api and no human-interaction
 * context to ask about issued tokens: its admin routes know the configured tokens, and /docs
 * describes only what it serves.
 */
describe('a process without human interaction', () => {
  let scratch: ScratchDatabase;
  let app: Application;
  let admin: BrokerAdmin;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        CONTEXTS: 'task-management',
        DATABASE_URL: scratch.url,
        RABBITMQ_URL,
        RABBITMQ_PREFIX: `refinery-test-${randomBytes(4).toString('hex')}`,
        RABBITMQ_QUEUE_TYPE: 'classic',
      },
    });
  });
  afterAll(async () => {
    const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
    await app.stop();
    await admin.deleteTopology(topology);
    await admin.close();
    await scratch.drop();
  });

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await app.http.inject({ method: 'GET', url, headers });
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  };

  it('lets a configured admin token in to the dead letters, and nobody else', async () => {
    expect((await get('/admin/dead-letters', bearer('root'))).status).toBe(200);
    expect((await get('/admin/dead-letters', bearer('alice'))).status).toBe(403);
    expect((await get('/admin/dead-letters')).status).toBe(401);
    expect((await get('/admin/dead-letters', { authorization: 'Bearer rfy_issued-elsewhere' })).status).toBe(401);
  });

  it('serves no /api but the worker registry, and its /docs describe the admin routes only', async () => {
    expect((await get('/api/tasks', bearer('alice'))).status).toBe(404);
    expect((await get('/api/admin/workers', bearer('root'))).status).toBe(200);
    const document = (await get('/docs/json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).sort()).toEqual([
      '/admin/dead-letters',
      '/admin/dead-letters/{consumer}',
      '/admin/dead-letters/{consumer}/replay',
      '/admin/dead-letters/{consumer}/{id}',
      '/api/admin/workers',
    ]);
  });
});
