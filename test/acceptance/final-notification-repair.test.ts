import type { Application } from '../../src/app/container';
import { RedriveTask } from '../../src/contexts/orchestration/contracts';
import { SendNotification } from '../../src/contexts/human-interaction/contracts';
import { TaskSnapshotPublished, TaskStatusChanged } from '../../src/contexts/task-management/contracts';
import type { Envelope } from '../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../src/shared/messaging/in-memory/in-memory-message-queue';
import { Api } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { dropDelivered } from '../support/dropping-transport';
import { notificationFor } from '../support/refinement-scenario';

type Drop = (consumer: string, envelope: Envelope) => boolean;

const cancelled = (e: Envelope): boolean => (e.payload as { status?: string }).status === 'CANCELLED';
const isFinalState = (e: Envelope): boolean => e.type === TaskStatusChanged.type && cancelled(e);
const isReannouncement = (e: Envelope): boolean => e.type === TaskSnapshotPublished.type && cancelled(e);
const isCancelledNotice = (e: Envelope): boolean => e.type === SendNotification.type && (e.payload as { kind?: string }).kind === 'task-cancelled';
const forOrchestration = (consumer: string): boolean => consumer.startsWith('orchestration.');
const forHumanInteraction = (consumer: string): boolean => consumer.startsWith('human-interaction.');
/** True for the first `n` calls only. */
const firstTimes = (n: number): (() => boolean) => {
  let seen = 0;
  return () => seen++ < n;
};

/**
 * A task cancelled after clarification (the convergence test's clarify-cancel scenario), with one
 * consumer's copy of the messages that finish it lost, one combination at a time: the requester
 * still gets the task-cancelled notification, through the re-announcement of the unsettled
 * finished task (orchestration learns the final state from it; human interaction asks for the
 * notification it lacks with `redrive-task`).
 */
describe('the final notification of a task cancelled after clarification', () => {
  let app: Application;
  let api: Api;
  beforeAll(async () => {
    app = await startTestApp({ env: { REDRIVE_AFTER_MS: '300', REPUBLISH_IDLE_MS: '300' } });
    api = new Api(app);
  });
  afterAll(() => app.stop());

  const cases: ReadonlyArray<[string, () => Drop]> = [
    ["orchestration's copy of the final state", () => (c, e) => forOrchestration(c) && isFinalState(e)],
    ["human interaction's copy of the final state (the notification waits for the re-announcement)", () => (c, e) => forHumanInteraction(c) && isFinalState(e)],
    ['every copy of the final state', () => (_c, e) => isFinalState(e)],
    [
      "orchestration's final state and the notification twice",
      () => {
        const twice = firstTimes(2);
        return (c, e) => (forOrchestration(c) && isFinalState(e)) || (isCancelledNotice(e) && twice());
      },
    ],
    [
      'the notification, then the first two requests for it',
      () => {
        const once = firstTimes(1);
        const twice = firstTimes(2);
        return (_c, e) => (isCancelledNotice(e) && once()) || (e.type === RedriveTask.type && twice());
      },
    ],
    [
      "human interaction's final state, its first re-announcement and the notification",
      () => {
        const once = firstTimes(1);
        const onceMore = firstTimes(1);
        return (c, e) =>
          (forHumanInteraction(c) && isFinalState(e)) || (forHumanInteraction(c) && isReannouncement(e) && once()) || (isCancelledNotice(e) && onceMore());
      },
    ],
    [
      "orchestration's final state and its first two re-announcements",
      () => {
        const twice = firstTimes(2);
        return (c, e) => forOrchestration(c) && (isFinalState(e) || (isReannouncement(e) && twice()));
      },
    ],
  ];

  for (const [lost, drop] of cases) {
    it(`reaches the requester when ${lost} is lost`, async () => {
      const taskId = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: `Lost: ${lost}`, description: 'Make the dashboard better.' })).body
        .taskId;
      await notificationFor(api, 'alice', taskId, 'clarification-requested');
      const picks = drop();
      const dropping = dropDelivered(transportOf(app, InMemoryMessageQueue), (c, e) => e.key === taskId && picks(c, e));
      try {
        expect((await api.post('alice', `/api/tasks/${taskId}/cancel`, { reason: 'not needed after all' })).status).toBe(202);
        const notice = await notificationFor(api, 'alice', taskId, 'task-cancelled');
        expect([notice.kind, dropping.dropped > 0]).toEqual(['task-cancelled', true]);
      } finally {
        dropping.stop();
      }
    }, 60_000);
  }
});
