import { humanInteractionContracts, SendNotification } from '../../../../../src/contexts/human-interaction/contracts';
import type { DeliveryChannel } from '../../../../../src/contexts/human-interaction/application/channel-preferences/channel-choice';
import { DeliverNotifications } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/deliver-notifications.worker';
import type { DeliveryContent } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content';
import { DeliveryContentBuilder } from '../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content-builder';
import type {
  DeliveryOutcome,
  NotificationChannel,
} from '../../../../../src/contexts/human-interaction/application/deliver-notifications/notification-channel';
import { SendNotificationHandler } from '../../../../../src/contexts/human-interaction/application/send-notification/send-notification.handler';
import type { UserDirectory } from '../../../../../src/contexts/human-interaction/domain/user';
import { humanInteractionOptions } from '../../../../../src/contexts/human-interaction/human-interaction.options';
import { ActionLinkSigner } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';
import { PublicAddress } from '../../../../../src/contexts/human-interaction/infrastructure/links/public-address';
import { NotificationActionLinks } from '../../../../../src/contexts/human-interaction/infrastructure/links/notification-action-links';
import { WebInboxLinks } from '../../../../../src/contexts/human-interaction/infrastructure/links/web-inbox-links';
import { postgresHumanInteractionRepositories as repositories } from '../../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-repositories';
import { orchestrationContracts } from '../../../../../src/contexts/orchestration/contracts';
import { productDefinitionContracts } from '../../../../../src/contexts/product-definition/contracts';
import { type TaskSnapshot, taskManagementContracts } from '../../../../../src/contexts/task-management/contracts';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { ContractRegistry, message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId } from '../../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../../src/shared/persistence/data-source';
import { UnitOfWork } from '../../../../../src/shared/persistence/unit-of-work';
import { TEST_LINK_SECRET } from '../../../../support/app';
import { openTestDatabase } from '../../../../support/database';
import { eventually } from '../../../../support/eventually';
import { ManualClock, USERS } from '../../support/human-interaction.harness';
import { QUESTIONS, TaskStory } from '../../../../support/task-story';

const PUBLIC_URL = 'https://refinery.example.com';
const OPTIONS = humanInteractionOptions({
  users: USERS,
  linkSecret: TEST_LINK_SECRET,
  publicUrl: PUBLIC_URL,
  smtp: { url: 'smtp://127.0.0.1:1', from: 'refinery@example.com' },
  webhookSecret: 'worker-test-webhook-secret',
  delivery: { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 4_000, pollIntervalMs: 10, timeoutMs: 100 },
});

const directory: UserDirectory = {
  findById: (id) => USERS.find((u) => u.id === id),
  firstWithRole: (role) => USERS.find((u) => u.roles.includes(role)),
};

/** A channel the test drives: records what it was asked to send and answers as told. */
class ScriptedChannel implements NotificationChannel {
  readonly sent: Array<{ target: string; content: DeliveryContent }> = [];
  constructor(
    readonly channel: DeliveryChannel,
    private readonly answer: () => Promise<void> = async () => undefined,
  ) {}
  async send(target: string, content: DeliveryContent): Promise<void> {
    this.sent.push({ target, content });
    await this.answer();
  }
}

describe('notification deliveries', () => {
  let db: Database;
  let clock: ManualClock;
  let unitOfWork: UnitOfWork;
  const outcomes: Array<[DeliveryChannel, DeliveryOutcome]> = [];

  beforeAll(async () => {
    db = await openTestDatabase();
  }, 60_000);
  afterAll(() => db.close());
  beforeEach(async () => {
    // The worker claims whatever is due in the database: each test starts with no deliveries.
    await db.dataSource.query(`DELETE FROM human_interaction.deliveries`);
    clock = new ManualClock();
    const registry = new ContractRegistry().register(
      ...taskManagementContracts,
      ...productDefinitionContracts,
      ...orchestrationContracts,
      ...humanInteractionContracts,
    );
    unitOfWork = new UnitOfWork(db.dataSource, registry, clock);
    outcomes.length = 0;
  });

  const workerWith = (...channels: NotificationChannel[]) =>
    new DeliverNotifications(
      unitOfWork,
      repositories,
      clock,
      silentLogger(),
      OPTIONS,
      channels,
      new DeliveryContentBuilder(
        unitOfWork,
        repositories,
        new WebInboxLinks(new NotificationActionLinks(new ActionLinkSigner(TEST_LINK_SECRET), new PublicAddress(OPTIONS), OPTIONS), new PublicAddress(OPTIONS)),
        directory,
      ),
      { record: (channel, outcome) => void outcomes.push([channel, outcome]) },
    );

  /** A task waiting for alice's answers, and the command that tells her (a fresh message id each time, as a re-drive may have). */
  async function clarificationFor(recipientId = 'alice'): Promise<{ task: TaskSnapshot; ask: () => ReturnType<typeof createEnvelope> }> {
    const task = TaskStory.created({ requesterId: recipientId }).startValidation().askQuestions().snapshot();
    await db.dataSource.transaction((manager) => repositories({ manager }).taskViews.applySnapshot(task));
    const payload = {
      notificationId: deterministicId('notify', task.taskId, task.version, recipientId),
      taskId: task.taskId,
      taskVersion: task.version,
      recipientId,
      kind: 'clarification-requested' as const,
      subject: `Questions about "${task.title}"`,
      questions: QUESTIONS,
    };
    return { task, ask: () => createEnvelope(message(SendNotification, task.taskId, payload)) };
  }

  interface DeliveryRow {
    channel: string;
    recipient_id: string;
    target: string;
    status: string;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date;
  }
  /** How long after now the row's next attempt is due (NaN for no row). */
  const dueIn = (row: DeliveryRow | undefined) => (row ? new Date(row.next_attempt_at).getTime() : Number.NaN) - clock.now().getTime();
  const rowsOf = (taskId: string) =>
    db.dataSource.query<DeliveryRow[]>(
      `SELECT d.channel, d.recipient_id, d.target, d.status, d.attempts, d.last_error, d.next_attempt_at FROM human_interaction.deliveries d
       JOIN human_interaction.notifications n ON n.id = d.notification_id WHERE n.task_id = $1 ORDER BY d.channel`,
      [taskId],
    );

  it('records one delivery per chosen channel, to the address chosen then, however often the notification is asked for', async () => {
    await repositories({ manager: db.dataSource.manager }).userChannels.save(
      'alice',
      { email: 'alice@example.com', webhookUrl: 'https://hooks.example.com/a' },
      clock.now(),
    );
    const { task, ask } = await clarificationFor('alice');
    const handler = new SendNotificationHandler(unitOfWork, repositories, OPTIONS);
    await handler.handle(ask());
    await repositories({ manager: db.dataSource.manager }).userChannels.save('alice', { email: 'new@example.com', webhookUrl: null }, clock.now());
    await handler.handle(ask());
    await handler.handle(ask());
    expect(await rowsOf(task.taskId)).toEqual([
      expect.objectContaining({ channel: 'email', recipient_id: 'alice', target: 'alice@example.com', status: 'pending', attempts: 0 }),
      expect.objectContaining({ channel: 'webhook', recipient_id: 'alice', target: 'https://hooks.example.com/a', status: 'pending', attempts: 0 }),
    ]);
  });

  it('records nothing for a person who chose no channel, nor for a channel the service is no longer configured for', async () => {
    const none = await clarificationFor('carol');
    await new SendNotificationHandler(unitOfWork, repositories, OPTIONS).handle(none.ask());
    expect(await rowsOf(none.task.taskId)).toEqual([]);

    await repositories({ manager: db.dataSource.manager }).userChannels.save(
      'carol',
      { email: 'carol@example.com', webhookUrl: 'https://hooks.example.com/c' },
      clock.now(),
    );
    const withoutSmtp = await clarificationFor('carol');
    await new SendNotificationHandler(unitOfWork, repositories, { ...OPTIONS, smtp: undefined }).handle(withoutSmtp.ask());
    expect((await rowsOf(withoutSmtp.task.taskId)).map((r) => r.channel)).toEqual(['webhook']);
  });

  it('sends each channel on its own: one that does not answer in time is retried with backoff, then given up, while the other is sent', async () => {
    await repositories({ manager: db.dataSource.manager }).userChannels.save(
      'alice',
      { email: 'alice@example.com', webhookUrl: 'https://hooks.example.com/a' },
      clock.now(),
    );
    const { task, ask } = await clarificationFor('alice');
    await new SendNotificationHandler(unitOfWork, repositories, OPTIONS).handle(ask());
    const email = new ScriptedChannel('email');
    // Ignores the abort signal too: the worker stops waiting at the deadline anyway.
    const hung = new ScriptedChannel('webhook', () => new Promise<void>(() => undefined));
    const worker = workerWith(email, hung);

    expect(await worker.deliverDue()).toBe(2);
    const [emailRow, webhookRow] = await rowsOf(task.taskId);
    expect(emailRow).toMatchObject({ status: 'sent', attempts: 1 });
    expect(webhookRow).toMatchObject({ status: 'pending', attempts: 1, last_error: 'DeliveryTimeoutError: no answer within 100 ms' });
    const firstDelay = dueIn(webhookRow);
    expect(firstDelay).toBeGreaterThanOrEqual(800);
    expect(firstDelay).toBeLessThanOrEqual(1_200);

    // What the email said: the questions, an absolute signed answer link and the task page.
    const content = email.sent[0]?.content;
    expect(content).toMatchObject({
      kind: 'clarification-requested',
      recipientName: 'Alice',
      questions: QUESTIONS,
      taskUrl: `${PUBLIC_URL}/inbox/tasks/${task.taskId}`,
    });
    expect(content?.links.map((l) => l.action)).toEqual(['answer']);
    expect(content?.links[0]?.url).toMatch(new RegExp(`^${PUBLIC_URL}/inbox/links/`));

    expect(await worker.deliverDue()).toBe(0); // not due yet
    clock.advance(1_200);
    expect(await worker.deliverDue()).toBe(1);
    const [, second] = await rowsOf(task.taskId);
    expect(second).toMatchObject({ status: 'pending', attempts: 2 });
    const secondDelay = dueIn(second);
    expect(secondDelay).toBeGreaterThanOrEqual(1_600);
    expect(secondDelay).toBeLessThanOrEqual(2_400);

    clock.advance(2_400);
    expect(await worker.deliverDue()).toBe(1);
    expect((await rowsOf(task.taskId))[1]).toMatchObject({ status: 'failed', attempts: 3, last_error: 'DeliveryTimeoutError: no answer within 100 ms' });
    clock.advance(60_000);
    expect(await worker.deliverDue()).toBe(0);
    expect(hung.sent).toHaveLength(3);
    expect(email.sent).toHaveLength(1);
    expect(outcomes).toEqual([
      ['email', 'sent'],
      ['webhook', 'retry'],
      ['webhook', 'retry'],
      ['webhook', 'failed'],
    ]);
  });

  it('waits, when stopped, for the delivery in flight to be sent and recorded', async () => {
    await repositories({ manager: db.dataSource.manager }).userChannels.save('alice', { email: null, webhookUrl: 'https://hooks.example.com/a' }, clock.now());
    const { task, ask } = await clarificationFor('alice');
    let release: () => void = () => undefined;
    const slow = new ScriptedChannel('webhook', () => new Promise<void>((resolve) => (release = resolve)));
    const worker = workerWith(slow);
    await new SendNotificationHandler(unitOfWork, repositories, { ...OPTIONS, delivery: { ...OPTIONS.delivery, timeoutMs: 20_000 } }).handle(ask());
    worker.loop.start();
    await eventually(() => expect(slow.sent).toHaveLength(1));

    let stopped = false;
    const stopping = worker.loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await rowsOf(task.taskId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
