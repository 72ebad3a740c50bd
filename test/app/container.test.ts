import { configSchema } from '../../src/app/config';
import { Application } from '../../src/app/container';
import { silentLogger } from '../../src/shared/logging/logger';
import { TEST_USERS } from '../support/app';

describe('Application.create', () => {
  it.each([
    [{ CONTEXTS: 'task-management' }],
    [{ CONTEXTS: 'task-management', RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672' }],
    [{ CONTEXTS: 'task-management,task-management,orchestration,orchestration', RABBITMQ_URL: 'amqp://127.0.0.1', DATABASE_URL: undefined }],
  ])('refuses to run some contexts without a shared broker and database: %j', async (env) => {
    const config = configSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)));
    await expect(Application.create({ config, users: TEST_USERS, logger: silentLogger() })).rejects.toThrow(/needs RABBITMQ_URL and DATABASE_URL/);
  });
});
