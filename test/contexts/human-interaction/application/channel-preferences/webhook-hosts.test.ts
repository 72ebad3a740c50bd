import type { Application } from '../../../../../src/app/container';
import { WebhookHostPolicy } from '../../../../../src/contexts/human-interaction/application/channel-preferences/webhook-hosts';
import type { DeliveryChannel } from '../../../../../src/contexts/human-interaction/application/channel-preferences/channel-choice';
import { DeliverNotifications } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/deliver-notifications.worker';
import type { DeliveryContent } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content';
import { DeliveryContentBuilder } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content-builder';
import type {
  DeliveryOutcome,
  NotificationChannel,
} from '../../../../../src/contexts/human-interaction/application/deliver-notifications/notification-channel';
import { SendNotificationHandler } from '../../../../../src/contexts/human-interaction/application/send-notification/send-notification.handler';
import { humanInteractionContracts, SendNotification } from '../../../../../src/contexts/human-interaction/contracts';
import type { UserDirectory } from '../../../../../src/contexts/human-interaction/domain/user';
import { humanInteractionOptions } from '../../../../../src/contexts/human-interaction/human-interaction.options';
import { ActionLinkSigner } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { PublicAddress } from '../../../../../src/contexts/human-interaction/infrastructure/links/public-address';
import { NotificationActionLinks } from '../../../../../src/contexts/human-interaction/infrastructure/links/notification-action-links';
import { WebInboxLinks } from '../../../../../src/contexts/human-interaction/infrastructure/links/web-inbox-links';
import { postgresHumanInteractionRepositories as repositories } from '../../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-repositories';
import { orchestrationContracts } from '../../../../../src/contexts/orchestration/contracts';
import { productDefinitionContracts } from '../../../../../src/contexts/product-definition/contracts';
import { taskManagementContracts } from '../../../../../src/contexts/task-management/contracts';
import { ContractRegistry, message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId } from '../../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../../src/shared/persistence/data-source';
import { UnitOfWork } from '../../../../../src/shared/persistence/unit-of-work';
import { startTestApp, TEST_LINK_SECRET } from '../../../../support/app';
import { openTestDatabase } from '../../../../support/database';
import { ManualClock, USERS } from '../../support/human-interaction.harness';
import { QUESTIONS, TaskStory } from '../../../../support/task-story';
import { getChannels, type LogLine, memoryLogger, putChannels } from '../../../../support/channel-helpers';

const ALLOWED = ['hooks.slack.com', '*.example.com'];

describe('which hosts webhooks may go to (WEBHOOK_ALLOWED_HOSTS)', () => {
  describe('the host list', () => {
    const policy = new WebhookHostPolicy(ALLOWED);

    it.each([
      ['https://hooks.slack.com/services/T0/B0/x', true],
      ['https://HOOKS.Slack.com./services/x', true],
      ['http://hooks.slack.com:8443/x', true],
      ['https://a.example.com/hook', true],
      ['https://a.b.example.com/hook', true],
      ['https://example.com/hook', false], // the wildcard covers hosts under it, not the domain itself
      ['https://evilexample.com/hook', false],
      ['https://example.com.evil.net/hook', false],
      ['https://hooks.slack.com.evil.net/x', false],
      ['https://slack.com/x', false],
      ['https://hooks.slack.com@evil.net/x', false], // user info, not the host
      ['https://127.0.0.1/x', false],
      ['not a url', false],
    ])('%s → %s', (url, allowed) => {
      expect(policy.allows(url)).toBe(allowed);
    });

    it('compares addresses as the URL parser spells them, so another spelling cannot slip past', () => {
      const loopback = new WebhookHostPolicy(['127.0.0.1', '[::1]']);
      expect(loopback.allows('http://2130706433/x')).toBe(true);
      expect(loopback.allows('http://[0:0::1]:9/x')).toBe(true);
      expect(loopback.allows('http://localhost/x')).toBe(false);
      expect(new WebhookHostPolicy(['localhost']).allows('http://127.0.0.1/x')).toBe(false);
    });

    it('allows any host when no list is configured', () => {
      expect(new WebhookHostPolicy(undefined).allows('https://anything.example.net/x')).toBe(true);
    });
  });

  describe('choosing a webhook (PUT /api/me/channels)', () => {
    let app: Application;
    beforeAll(async () => {
      app = await startTestApp({ env: { WEBHOOK_SECRET: 'allowed-hosts-test-secret', WEBHOOK_ALLOWED_HOSTS: ALLOWED.join(',') } });
    }, 60_000);
    afterAll(() => app.stop());

    it('accepts a listed host and a host under a wildcard', async () => {
      expect(await putChannels(app, 'alice', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' })).toMatchObject({ status: 200 });
      expect(await putChannels(app, 'alice', { webhookUrl: 'https://team.example.com/refinery' })).toMatchObject({ status: 200 });
      expect((await getChannels(app, 'alice')).body).toMatchObject({ webhookUrl: 'https://team.example.com/refinery' });
    });

    it('refuses any other host with 400 naming webhookUrl, and keeps the earlier choice', async () => {
      expect((await putChannels(app, 'carol', { webhookUrl: 'https://hooks.example.com/c' })).status).toBe(200);
      for (const webhookUrl of ['https://example.com/x', 'https://hooks.evil.net/x', 'http://169.254.169.254/latest/meta-data']) {
        const refused = await putChannels(app, 'carol', { webhookUrl });
        expect(refused.status).toBe(400);
        expect(refused.body.issues).toEqual([{ field: 'webhookUrl', message: expect.stringContaining('WEBHOOK_ALLOWED_HOSTS') }]);
      }
      expect((await getChannels(app, 'carol')).body).toMatchObject({ webhookUrl: 'https://hooks.example.com/c' });
    });
  });

  describe('the delivery worker', () => {
    let db: Database;
    beforeAll(async () => {
      db = await openTestDatabase();
    }, 60_000);
    afterAll(() => db.close());

    const OPTIONS = humanInteractionOptions({
      users: USERS,
      linkSecret: TEST_LINK_SECRET,
      publicUrl: 'https://refinery.example.com',
      smtp: { url: 'smtp://127.0.0.1:1', from: 'refinery@example.com' },
      webhookSecret: 'worker-test-webhook-secret',
      delivery: { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 4_000, pollIntervalMs: 10, timeoutMs: 1_000 },
    });
    const directory: UserDirectory = {
      findById: (id) => USERS.find((u) => u.id === id),
      firstWithRole: (role) => USERS.find((u) => u.roles.includes(role)),
    };

    class RecordingChannel implements NotificationChannel {
      readonly sent: string[] = [];
      constructor(readonly channel: DeliveryChannel) {}
      async send(target: string, _content: DeliveryContent): Promise<void> {
        this.sent.push(target);
      }
    }

    /** Alice's clarification notification recorded while her channels were `webhookUrl` and an email; then one worker pass under `allowed`. */
    async function deliverWith(webhookUrl: string, allowed: string[] | undefined) {
      const clock = new ManualClock();
      const registry = new ContractRegistry().register(
        ...taskManagementContracts,
        ...productDefinitionContracts,
        ...orchestrationContracts,
        ...humanInteractionContracts,
      );
      const unitOfWork = new UnitOfWork(db.dataSource, registry, clock);
      await db.dataSource.query(`DELETE FROM human_interaction.deliveries`);
      await repositories({ manager: db.dataSource.manager }).userChannels.save('alice', { email: 'alice@example.com', webhookUrl }, clock.now());
      const task = TaskStory.created({ requesterId: 'alice' }).startValidation().askQuestions().snapshot();
      await db.dataSource.transaction((manager) => repositories({ manager }).taskViews.applySnapshot(task));
      const payload = {
        notificationId: deterministicId('notify', task.taskId, task.version, 'alice'),
        taskId: task.taskId,
        taskVersion: task.version,
        recipientId: 'alice',
        kind: 'clarification-requested' as const,
        subject: `Questions about "${task.title}"`,
        questions: QUESTIONS,
      };
      // Recorded before the host list existed (or while it still allowed the target).
      await new SendNotificationHandler(unitOfWork, repositories, OPTIONS).handle(createEnvelope(message(SendNotification, task.taskId, payload)));

      const options = { ...OPTIONS, ...(allowed ? { webhookAllowedHosts: allowed } : {}) };
      const email = new RecordingChannel('email');
      const webhook = new RecordingChannel('webhook');
      const outcomes: Array<[DeliveryChannel, DeliveryOutcome]> = [];
      const { logger, lines } = memoryLogger();
      const worker = new DeliverNotifications(
        unitOfWork,
        repositories,
        clock,
        logger,
        options,
        [email, webhook],
        new DeliveryContentBuilder(
          unitOfWork,
          repositories,
          new WebInboxLinks(
            new NotificationActionLinks(new ActionLinkSigner(TEST_LINK_SECRET), new PublicAddress(options), options),
            new PublicAddress(options),
          ),
          directory,
        ),
        { record: (channel, outcome) => void outcomes.push([channel, outcome]) },
      );
      expect(await worker.deliverDue()).toBe(2);
      const rows: Array<{ channel: string; status: string; attempts: number; last_error: string | null }> = await db.dataSource.query(
        `SELECT channel, status, attempts, last_error FROM human_interaction.deliveries WHERE notification_id = $1 ORDER BY channel`,
        [payload.notificationId],
      );
      clock.advance(60_000);
      expect(await worker.deliverDue()).toBe(0); // a refused delivery is not tried again
      return { rows, email, webhook, outcomes: outcomes.sort(), lines };
    }

    it('refuses a stored target whose host is no longer allowed: marked failed with the reason, no request made', async () => {
      const { rows, email, webhook, outcomes, lines } = await deliverWith('https://hooks.evil.net/secret-path', ['hooks.example.com']);
      expect(rows).toEqual([
        { channel: 'email', status: 'sent', attempts: 1, last_error: null },
        { channel: 'webhook', status: 'failed', attempts: 1, last_error: 'not sent: webhook host hooks.evil.net is not allowed by WEBHOOK_ALLOWED_HOSTS' },
      ]);
      expect(webhook.sent).toEqual([]);
      expect(email.sent).toEqual(['alice@example.com']);
      expect(outcomes).toEqual([
        ['email', 'sent'],
        ['webhook', 'failed'],
      ]);
      const failure = lines.find((l: LogLine) => l.level === 50);
      expect(failure).toMatchObject({ channel: 'webhook', recipientId: 'alice', err: expect.stringContaining('WEBHOOK_ALLOWED_HOSTS') });
      expect(JSON.stringify(lines)).not.toContain('secret-path');
    });

    it('sends to a host the list allows, wildcards included, and to any host without a list', async () => {
      for (const [url, allowed] of [
        ['https://team.example.com/hook', ['*.example.com']],
        ['https://hooks.evil.net/hook', undefined],
      ] as const) {
        const { rows, webhook } = await deliverWith(url, allowed ? [...allowed] : undefined);
        expect(rows.map((r) => [r.channel, r.status])).toEqual([
          ['email', 'sent'],
          ['webhook', 'sent'],
        ]);
        expect(webhook.sent).toEqual([url]);
      }
    });
  });
});
