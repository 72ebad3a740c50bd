import { QueryFailedError } from 'typeorm';
import type { Application } from '../../../src/app/container';
import { scrubUrls, serializeErr } from '../../../src/shared/logging/log-secrets';
import { startTestApp } from '../../support/app';
import { memoryLogger, putChannels } from '../../support/channel-helpers';

const SECRET_PATH = 'T0SECRET/B0SECRET/xoxb-path-secret-9f8e7d';
const WEBHOOK_URL = `https://hooks.example.com/services/${SECRET_PATH}?token=query-secret-1234`;
const EMAIL = 'carol.private@example.com';

describe('no secret in any log line', () => {
  describe('the log serializer', () => {
    it('cuts every URL to scheme, host and port: no userinfo, path, query or fragment', () => {
      expect(scrubUrls('POST https://user:p%40ss@word@hooks.example.com:8443/services/T0/B0?token=abc#frag failed')).toBe(
        'POST https://hooks.example.com:8443 failed',
      );
      expect(scrubUrls('connect to postgres://postgres:pw@db.internal:5432/refinery?sslmode=require')).toBe('connect to postgres://db.internal:5432');
      expect(scrubUrls('"http://[::1]:9000/x/y" and amqp://guest:guest@127.0.0.1:5672/%2f')).toBe('"http://[::1]:9000" and amqp://127.0.0.1:5672');
      expect(scrubUrls('no URL here: a:b@c')).toBe('no URL here: a:b@c');
    });

    it("drops a database error's parameters, statement and detail, and cuts parameter values out of its message", () => {
      const driverError = Object.assign(new Error(`invalid input syntax for type uuid: "${EMAIL}"`), {
        code: '22P02',
        detail: `Failing row contains (carol, ${EMAIL}, ${WEBHOOK_URL}).`,
      });
      const error = new QueryFailedError('INSERT INTO human_interaction.user_channels VALUES ($1, $2, $3)', ['carol', EMAIL, WEBHOOK_URL], driverError);
      const serialized = JSON.stringify(serializeErr(error));
      expect(serialized).toContain('QueryFailedError');
      expect(serialized).toContain('invalid input syntax for type uuid');
      expect(serialized).toContain('22P02');
      for (const secret of [EMAIL, SECRET_PATH, 'query-secret-1234', 'INSERT INTO', 'Failing row']) expect(serialized).not.toContain(secret);
      expect(serialized).not.toMatch(/"(parameters|query|detail)"/);
    });

    it('applies to every line: err and error fields (errors, strings, plain objects), and the message', () => {
      const log = memoryLogger('debug');
      log.logger.error({ err: new Error(`fetch ${WEBHOOK_URL} failed`) }, 'an error');
      log.logger.warn({ err: `WebhookDeliveryError: ${WEBHOOK_URL}` }, 'a string');
      log.logger.warn({ error: { errorClass: 'Error', errorMessage: `to ${WEBHOOK_URL}` } }, 'an object');
      log.logger.info(`the message itself names ${WEBHOOK_URL}`);
      const raw = log.raw.join('\n');
      expect(log.raw).toHaveLength(4);
      expect(raw).toContain('https://hooks.example.com');
      expect(raw).not.toContain(SECRET_PATH);
      expect(raw).not.toContain('query-secret-1234');
    });

    it("redacts the configuration's secret variables should a config object be logged", () => {
      const log = memoryLogger('debug');
      const config = { LINK_SECRET: 'link-secret-value-0123456789abcdef', SMTP_URL: 'smtp-url-value', LOG_LEVEL: 'debug' };
      log.logger.info({ config }, 'nested');
      log.logger.info({ ...config, REFINERY_USERS: 'alice:requester:users-value' }, 'top level');
      const raw = log.raw.join('\n');
      expect(log.raw).toHaveLength(2);
      expect(raw).toContain('"LOG_LEVEL":"debug"');
      for (const secret of ['link-secret-value', 'smtp-url-value', 'users-value']) expect(raw).not.toContain(secret);
    });
  });

  describe('a database error inside a request', () => {
    let app: Application;
    let log: ReturnType<typeof memoryLogger>;
    beforeAll(async () => {
      log = memoryLogger('debug');
      app = await startTestApp({ logger: log.logger, env: { WEBHOOK_SECRET: 'log-secrets-test-secret-0123456789', LOG_LEVEL: 'debug' } });
      // A rule the statement breaks: PostgreSQL refuses the row and its error names the values.
      await app.database.dataSource.query(
        `ALTER TABLE human_interaction.user_channels ADD CONSTRAINT test_short_webhook CHECK (webhook_url IS NULL OR length(webhook_url) < 40)`,
      );
    }, 60_000);
    afterAll(() => app.stop());

    it('answers 500 and logs the failure without any parameter of the statement', async () => {
      const response = await putChannels(app, 'carol', { webhookUrl: WEBHOOK_URL });
      expect(response).toEqual({ status: 500, body: { error: 'internal' } });
      const failed = log.lines.find((l) => l.msg === 'request failed');
      expect(failed).toMatchObject({ err: { type: 'QueryFailedError', message: expect.stringContaining('test_short_webhook') } });
      const raw = log.raw.join('\n');
      for (const secret of [SECRET_PATH, 'query-secret-1234', 'services/']) expect(raw).not.toContain(secret);
      expect(raw).not.toMatch(/"(parameters|query|detail)"/);
    });
  });
});
