import { humanInteractionOptions } from '../../../../src/contexts/human-interaction/human-interaction.options';
import { TEST_LINK_SECRET } from '../../../support/app';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import { SendNotification } from '../../../../src/contexts/human-interaction/contracts';
import { AgentPoolChanged, PrdDrafted } from '../../../../src/contexts/product-definition/contracts';
import { RecordAgentPoolOnPoolChanged } from '../../../../src/contexts/human-interaction/application/ops/record-agent-pool.handler';
import { postgresOpsRepositories } from '../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-ops.repository';
import { ConfirmTaskSettled, TaskCreated, TaskSnapshotPublished } from '../../../../src/contexts/task-management/contracts';
import { message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { HumanInteractionContext } from '../../../../src/contexts/human-interaction/human-interaction.context';
import { AlertOnWorkflowStalled } from '../../../../src/contexts/human-interaction/application/alerts/alert-on-workflow-stalled.handler';
import { TaskAlerts } from '../../../../src/contexts/human-interaction/application/alerts/task-alerts';
import { WorkerCoverageAlerts } from '../../../../src/contexts/human-interaction/application/alerts/worker-coverage-alerts';
import { RedriveTask, WorkflowStalled } from '../../../../src/contexts/orchestration/contracts';
import { ResendUnconfirmedRequests } from '../../../../src/contexts/human-interaction/application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import { postgresHumanInteractionRepositories } from '../../../../src/contexts/human-interaction/infrastructure/persistence/postgres-repositories';
import { silentLogger } from '../../../../src/shared/logging/logger';
import type { MessageQueue, Subscription } from '../../../../src/shared/messaging/message-queue';
import { type z } from 'zod';
import type {
  notificationListView,
  oneNotificationView,
  submittedView,
  taskDetailsView,
} from '../../../../src/contexts/human-interaction/infrastructure/http/response-schemas';
import { openTestDatabase } from '../../../support/database';
import { auth, buildHumanInteraction, USERS, deliverPrd, deliverSnapshot, type HumanInteractionHarness, outboxFor } from '../support/human-interaction.harness';
import { aPrdDocument } from '../../../support/prd-document';
import { QUESTIONS, TaskStory } from '../../../support/task-story';

describe('Human Interaction message handlers', () => {
  let db: Database;
  let h: HumanInteractionHarness;
  beforeAll(async () => {
    db = await openTestDatabase();
    h = await buildHumanInteraction(db);
  }, 60_000);
  afterAll(async () => {
    await h.app.close();
    await db.close();
  });

  const viewOf = async (taskId: string) =>
    (await h.http({ method: 'GET', url: `/api/tasks/${taskId}`, headers: auth('dave') })).json() as z.infer<typeof taskDetailsView>;
  const post = (url: string, user: Parameters<typeof auth>[0], payload?: object) =>
    h.http({ method: 'POST', url, headers: auth(user), ...(payload ? { payload } : {}) });

  describe('task events', () => {
    it('applies a newer snapshot and ignores an older one arriving late', async () => {
      const created = TaskStory.created();
      const validating = created.startValidation();
      await deliverSnapshot(h, created.snapshot(), TaskCreated);
      await deliverSnapshot(h, validating.snapshot());
      await deliverSnapshot(h, created.snapshot(), TaskSnapshotPublished);
      expect((await viewOf(created.taskId)).task).toMatchObject({ status: 'REQUEST_VALIDATION', version: 2 });
    });

    it('confirms a submitted task when task management announces it', async () => {
      const { taskId } = (await post('/api/tasks', 'alice', { title: 'Dark mode', description: 'Everywhere.' })).json() as z.infer<typeof submittedView>;
      await deliverSnapshot(h, TaskStory.created({ taskId, title: 'Dark mode', description: 'Everywhere.' }).snapshot(), TaskCreated);
      expect((await viewOf(taskId)).task).toMatchObject({ status: 'NEW', version: 1, title: 'Dark mode' });
    });

    it('re-sends a recorded answer with the same message id when the task still waits at that version', async () => {
      const asked = TaskStory.created().startValidation().askQuestions();
      await deliverSnapshot(h, asked.snapshot());
      expect((await post(`/api/tasks/${asked.taskId}/answers`, 'alice', { answers: [{ question: QUESTIONS[0], answer: 'All' }] })).statusCode).toBe(202);
      await deliverSnapshot(h, asked.snapshot(), TaskSnapshotPublished);
      const sent = await outboxFor(db, asked.taskId);
      expect(sent.map((m) => m.type)).toEqual(['task-management.provide-clarification.v1', 'task-management.provide-clarification.v1']);
      expect(new Set(sent.map((m) => m.messageId))).toEqual(new Set([deterministicId('human-action', asked.taskId, asked.version, 'answer')]));
      expect(sent[1]?.payload).toEqual(sent[0]?.payload);
    });

    it('does not re-send once the task has moved past the version acted on', async () => {
      const deciding = TaskStory.created().startValidation().submitPrd(1);
      await deliverSnapshot(h, deciding.snapshot());
      await deliverPrd(h, deciding.taskId, 1);
      await post(`/api/tasks/${deciding.taskId}/approve`, 'bob');
      const approved = deciding.approve();
      await deliverSnapshot(h, approved.snapshot());
      await deliverSnapshot(h, deciding.snapshot(), TaskSnapshotPublished);
      expect((await outboxFor(db, deciding.taskId)).map((m) => m.type)).toEqual(['task-management.approve-prd.v1']);
      expect((await viewOf(deciding.taskId)).task.status).toBe('APPROVED');
    });

    it('has one effect for a redelivered event', async () => {
      const asked = TaskStory.created().startValidation().askQuestions();
      await deliverSnapshot(h, asked.snapshot());
      await post(`/api/tasks/${asked.taskId}/answers`, 'alice', { answers: [{ question: QUESTIONS[1], answer: 'May' }] });
      const republished = createEnvelope(message(TaskSnapshotPublished, asked.taskId, asked.snapshot()));
      await h.syncTaskView.handle(republished);
      await h.syncTaskView.handle(republished);
      expect(await outboxFor(db, asked.taskId)).toHaveLength(2);
    });
  });

  describe('PRD events', () => {
    it('keeps each drafted version once', async () => {
      const deciding = TaskStory.created().startValidation().submitPrd(2);
      await deliverSnapshot(h, deciding.snapshot());
      const drafted = (prdVersion: number, title: string) =>
        createEnvelope(
          message(PrdDrafted, deciding.taskId, {
            taskId: deciding.taskId,
            prdVersion,
            basedOnTaskVersion: 2,
            prd: aPrdDocument({ title }),
            draftedAt: '2026-01-05T09:10:00.000Z',
          }),
        );
      await h.recordPrd.handle(drafted(1, 'First'));
      await h.recordPrd.handle(drafted(2, 'Second'));
      await h.recordPrd.handle(drafted(2, 'Second, re-emitted with another id'));
      const view = await viewOf(deciding.taskId);
      expect(view.prdVersions).toEqual([1, 2]);
      expect(view.prd).toEqual({ version: 2, document: aPrdDocument({ title: 'Second' }) });
    });
  });

  describe('a finished task settled', () => {
    const finalNotification = (story: TaskStory, kind: 'task-approved' | 'task-cancelled' = 'task-approved') =>
      createEnvelope(
        message(SendNotification, story.taskId, {
          notificationId: deterministicId('notify', story.taskId, story.version, 'alice'),
          taskId: story.taskId,
          taskVersion: story.version,
          recipientId: 'alice',
          kind,
          subject: 'Done',
        }),
      );
    const sentTypes = async (taskId: string) => (await outboxFor(db, taskId)).map((m) => m.type);
    const confirmation = (story: TaskStory): unknown =>
      expect.objectContaining({
        type: ConfirmTaskSettled.type,
        messageId: deterministicId('task-settled', story.taskId, story.version),
        payload: { taskId: story.taskId, taskVersion: story.version },
      });
    const settled = async (taskId: string) => (await outboxFor(db, taskId)).filter((m) => m.type === ConfirmTaskSettled.type);

    // The final notification waits for the final state (retried until then), so it never comes first.
    it.each([
      ['the PRD arrives last', ['snapshot', 'notification', 'prd']],
      ['the final notification arrives last', ['snapshot', 'prd', 'notification']],
      ['the PRD came before the final state', ['prd', 'snapshot', 'notification']],
    ] as const)('confirms it to task management once, when %s', async (_label, order) => {
      const approved = TaskStory.created().startValidation().submitPrd(1).approve();
      const arrive = {
        snapshot: () => deliverSnapshot(h, approved.snapshot()),
        prd: () => deliverPrd(h, approved.taskId, 1),
        notification: () => h.sendNotification.handle(finalNotification(approved)),
      };
      for (const what of order.slice(0, -1)) await arrive[what]();
      expect(await settled(approved.taskId)).toEqual([]);

      await arrive[order[2]]();

      expect(await settled(approved.taskId)).toEqual([confirmation(approved)]);
    });

    it('confirms a task that finished without a PRD once its final notification is here, and again on a re-announcement (same id)', async () => {
      const cancelled = TaskStory.created().startValidation().cancel();
      await deliverSnapshot(h, cancelled.snapshot());
      expect(await settled(cancelled.taskId)).toEqual([]);
      await h.sendNotification.handle(finalNotification(cancelled, 'task-cancelled'));
      await deliverSnapshot(h, cancelled.snapshot(), TaskSnapshotPublished);
      expect(await settled(cancelled.taskId)).toEqual([confirmation(cancelled), confirmation(cancelled)]);
    });

    it('asks orchestration for the final notification when a re-announcement finds it missing, once per re-announcement; not on the live event', async () => {
      const approved = TaskStory.created().startValidation().submitPrd(1).approve();
      await deliverPrd(h, approved.taskId, 1);
      await deliverSnapshot(h, approved.snapshot());
      expect(await sentTypes(approved.taskId)).toEqual([]);

      const first = await deliverSnapshot(h, approved.snapshot(), TaskSnapshotPublished);
      await deliverSnapshot(h, approved.snapshot(), TaskSnapshotPublished);

      const asked = await outboxFor(db, approved.taskId);
      expect(asked.map((m) => [m.type, m.payload])).toEqual([
        [RedriveTask.type, { taskId: approved.taskId, taskVersion: approved.version, requestedBy: 'service:human-interaction' }],
        [RedriveTask.type, { taskId: approved.taskId, taskVersion: approved.version, requestedBy: 'service:human-interaction' }],
      ]);
      expect(asked[0]?.messageId).toBe(deterministicId('final-notification', approved.taskId, first.messageId));
      expect(asked[1]?.messageId).not.toBe(asked[0]?.messageId);
    });
  });

  describe('notifications', () => {
    const notificationCount = async (taskId: string) =>
      (await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM human_interaction.notifications WHERE task_id = $1`, [taskId]))[0]?.n;
    const ask = (taskId: string, version: number, recipientId = 'alice') =>
      createEnvelope(
        message(SendNotification, taskId, {
          notificationId: deterministicId('notify', taskId, version, recipientId),
          taskId,
          taskVersion: version,
          recipientId,
          kind: 'clarification-requested',
          subject: 'Questions about your request',
          questions: QUESTIONS,
        }),
      );

    it('holds a notification back, retryably, until the task view has reached its state', async () => {
      const validating = TaskStory.created().startValidation();
      const waiting = validating.askQuestions();
      const taskId = waiting.taskId;
      await expect(h.sendNotification.handle(ask(taskId, 3))).rejects.toThrow(/view is at version none; notification is for version 3/);
      await deliverSnapshot(h, validating.snapshot());
      await expect(h.sendNotification.handle(ask(taskId, 3))).rejects.toBeInstanceOf(RetryableError);
      expect(await notificationCount(taskId)).toBe(0);
      await deliverSnapshot(h, waiting.snapshot());
      await h.sendNotification.handle(ask(taskId, 3));
      expect(await notificationCount(taskId)).toBe(1);
    });

    it('creates one notification, and announces it once, however often it is asked for', async () => {
      const waiting = TaskStory.created().startValidation().askQuestions();
      const taskId = waiting.taskId;
      await deliverSnapshot(h, waiting.snapshot());
      await h.sendNotification.handle(ask(taskId, 3));
      await h.sendNotification.handle(ask(taskId, 3));
      expect(await notificationCount(taskId)).toBe(1);
      expect((await outboxFor(db, taskId)).map((m) => [m.type, m.payload['recipientId']])).toEqual([['human-interaction.notification-created.v1', 'alice']]);
    });

    it("lists the recipient's notifications newest first, with where to act, and marks them read", async () => {
      const waiting = TaskStory.created().startValidation().askQuestions();
      const taskId = waiting.taskId;
      await deliverSnapshot(h, waiting.answer().askQuestions().snapshot());
      await h.sendNotification.handle(ask(taskId, 3));
      h.clock.advance(1_000);
      await h.sendNotification.handle(ask(taskId, 5));
      const notificationsOf = async (user: Parameters<typeof auth>[0]) =>
        ((await h.http({ method: 'GET', url: '/api/notifications', headers: auth(user) })).json() as z.infer<typeof notificationListView>).notifications;
      const list = (await notificationsOf('alice')).filter((n) => n.taskId === taskId);
      expect(list.map((n) => n.taskVersion)).toEqual([5, 3]);
      expect(list[0]).toMatchObject({
        kind: 'clarification-requested',
        questions: QUESTIONS,
        readAt: null,
        links: { task: `/api/tasks/${taskId}`, answer: `/api/tasks/${taskId}/answers` },
      });
      const readLink = list[0]?.links.read ?? '(no read link)';
      expect((await post(readLink, 'carol')).statusCode).toBe(404);
      const read = await post(readLink, 'alice');
      expect((read.json() as z.infer<typeof oneNotificationView>).notification.readAt).toBe(h.clock.now().toISOString());
      const bobs = await notificationsOf('bob');
      expect(bobs.filter((n) => n.taskId === taskId)).toEqual([]);
    });
  });

  describe('unconfirmed submissions', () => {
    it('re-sends create-task with its id until task management confirms the task', async () => {
      const { taskId } = (await post('/api/tasks', 'alice', { title: 'Audit log', description: 'Who changed what.' })).json() as z.infer<typeof submittedView>;
      expect(await h.resender.sweep(60_000)).toBe(0);
      h.clock.advance(61_000);
      expect(await h.resender.sweep(60_000)).toBeGreaterThanOrEqual(1);
      const sent = await outboxFor(db, taskId);
      expect(sent.map((m) => m.messageId)).toEqual([
        deterministicId('human-action', taskId, 0, 'create'),
        deterministicId('human-action', taskId, 0, 'create'),
      ]);
      await deliverSnapshot(h, TaskStory.created({ taskId, title: 'Audit log', description: 'Who changed what.' }).snapshot(), TaskCreated);
      h.clock.advance(61_000);
      await h.resender.sweep(60_000);
      expect(await outboxFor(db, taskId)).toHaveLength(2);
    });
  });

  describe('the bounded context', () => {
    const recordingQueue = () => {
      const subscriptions: Array<Subscription & { kind: 'events' | 'commands' }> = [];
      const queue: MessageQueue = {
        publishEvent: async () => undefined,
        publishCommand: async () => undefined,
        subscribeToEvents: async (s) => (subscriptions.push({ ...s, kind: 'events' }), async () => undefined),
        subscribeToCommands: async (s) => (subscriptions.push({ ...s, kind: 'commands' }), async () => undefined),
        close: async () => undefined,
      };
      return { queue, subscriptions };
    };
    const contextWith = (options: { resendUnconfirmedAfterMs?: number; resendSweepIntervalMs?: number } = {}) => {
      const resender = new ResendUnconfirmedRequests(
        h.unitOfWork,
        postgresHumanInteractionRepositories,
        humanInteractionOptions({ users: USERS, linkSecret: TEST_LINK_SECRET, ...options }),
        silentLogger(),
      );
      const alerts = new AlertOnWorkflowStalled(
        h.unitOfWork,
        postgresHumanInteractionRepositories,
        new TaskAlerts(humanInteractionOptions({ users: USERS, linkSecret: TEST_LINK_SECRET })),
      );
      return new HumanInteractionContext(
        h.syncTaskView,
        h.recordPrd,
        h.sendNotification,
        resender,
        h.deliveries,
        alerts,
        new RecordAgentPoolOnPoolChanged(h.unitOfWork, postgresOpsRepositories),
        new WorkerCoverageAlerts(
          h.unitOfWork,
          postgresHumanInteractionRepositories,
          postgresOpsRepositories,
          humanInteractionOptions({ users: USERS, linkSecret: TEST_LINK_SECRET }),
          silentLogger(),
        ),
      );
    };

    it('subscribes its consumers to the messages they handle', async () => {
      const { queue, subscriptions } = recordingQueue();
      await contextWith().subscribe(queue);
      expect(subscriptions.map(({ consumer, kind, types }) => ({ consumer, kind, types: [...types] }))).toEqual([
        {
          consumer: 'human-interaction.task-events',
          kind: 'events',
          types: [TaskCreated.type, 'task-management.task-status-changed.v1', TaskSnapshotPublished.type],
        },
        { consumer: 'human-interaction.prd-events', kind: 'events', types: [PrdDrafted.type, AgentPoolChanged.type] },
        { consumer: 'human-interaction.commands', kind: 'commands', types: [SendNotification.type] },
        { consumer: 'human-interaction.alerts', kind: 'events', types: [WorkflowStalled.type] },
      ]);
      const created = TaskStory.created().snapshot();
      await subscriptions[0]?.handler(createEnvelope(message(TaskCreated, created.taskId, created)));
      expect((await viewOf(created.taskId)).task).toMatchObject({ taskId: created.taskId, version: 1 });
    });

    it('sweeps for unconfirmed submissions while started, and stops', async () => {
      const context = contextWith({ resendUnconfirmedAfterMs: 1_000, resendSweepIntervalMs: 10 });
      const { taskId } = (await post('/api/tasks', 'alice', { title: 'SSO', description: 'Sign in with Google.' })).json() as z.infer<typeof submittedView>;
      h.clock.advance(2_000);
      for (const loop of context.loops) loop.start();
      const deadline = Date.now() + 5_000;
      while ((await outboxFor(db, taskId)).length < 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      for (const loop of context.loops) await loop.stop();
      await context.drain();
      expect((await outboxFor(db, taskId)).map((m) => m.type)).toEqual(['task-management.create-task.v1', 'task-management.create-task.v1']);
    });
  });
});
