import { notificationState, type TaskProgress } from '../../../../../src/contexts/human-interaction/application/queries/notification-state';
import type { NotificationKind } from '../../../../../src/contexts/human-interaction/contracts';

const about = (kind: NotificationKind, taskVersion: number | null, prdVersion: number | null = null, readAt: Date | null = null) => ({
  kind,
  taskVersion,
  prdVersion,
  readAt,
});

const task = (overrides: Partial<TaskProgress>): TaskProgress => ({
  status: 'REQUEST_VALIDATION',
  version: 3,
  prdVersion: null,
  latestPrdVersion: null,
  questionRounds: [],
  ...overrides,
});

/** The one rule that says whether a notification still needs its recipient, kind by kind and state by state. */
describe('notificationState', () => {
  describe('a clarification request (asked at task version 3, round 1)', () => {
    const asked = about('clarification-requested', 3);

    it('needs you while the task waits for that round', () => {
      expect(notificationState(asked, task({ status: 'CLARIFICATION_NEEDED', version: 3, questionRounds: [3] }))).toEqual({ state: 'needs-you' });
    });

    it('is done once answered and the agent works on', () => {
      expect(notificationState(asked, task({ status: 'REQUEST_VALIDATION', version: 4, questionRounds: [3] }))).toEqual({ state: 'done' });
    });

    it('is done when the task went on to a PRD and its approval', () => {
      expect(notificationState(asked, task({ status: 'APPROVED', version: 8, prdVersion: 1, latestPrdVersion: 1, questionRounds: [3] }))).toEqual({
        state: 'done',
      });
    });

    it('is superseded by the newer question round', () => {
      expect(notificationState(asked, task({ status: 'CLARIFICATION_NEEDED', version: 5, questionRounds: [3, 5] }))).toEqual({
        state: 'superseded',
        supersededBy: 2,
      });
    });

    it('a later round is the one that needs you', () => {
      expect(notificationState(about('clarification-requested', 5), task({ status: 'CLARIFICATION_NEEDED', version: 5, questionRounds: [3, 5] }))).toEqual({
        state: 'needs-you',
      });
    });

    it.each(['CANCELLED', 'FAILED'] as const)('reports the task finished when it was %s', (status) => {
      expect(notificationState(asked, task({ status, version: 4, questionRounds: [3] }))).toEqual({ state: 'task-finished' });
    });
  });

  describe('a review request (PRD v1 at task version 4)', () => {
    const review = about('prd-ready-for-review', 4, 1);

    it('needs you while its version awaits a decision', () => {
      expect(notificationState(review, task({ status: 'PRD_VALIDATION', version: 4, prdVersion: 1, latestPrdVersion: 1 }))).toEqual({ state: 'needs-you' });
    });

    it('is done once rejected, while the next version is being written', () => {
      expect(notificationState(review, task({ status: 'REQUEST_VALIDATION', version: 5, prdVersion: 1, latestPrdVersion: 1 }))).toEqual({ state: 'done' });
    });

    it('is superseded by a newer PRD version, awaiting a decision or decided', () => {
      expect(notificationState(review, task({ status: 'PRD_VALIDATION', version: 6, prdVersion: 2, latestPrdVersion: 2 }))).toEqual({
        state: 'superseded',
        supersededBy: 2,
      });
      expect(notificationState(review, task({ status: 'APPROVED', version: 7, prdVersion: 3, latestPrdVersion: 3 }))).toEqual({
        state: 'superseded',
        supersededBy: 3,
      });
    });

    it('is superseded as soon as the newer PRD arrived, before the task view shows it', () => {
      expect(notificationState(review, task({ status: 'REQUEST_VALIDATION', version: 5, prdVersion: 1, latestPrdVersion: 2 }))).toEqual({
        state: 'superseded',
        supersededBy: 2,
      });
    });

    it('is done once its version was approved', () => {
      expect(notificationState(review, task({ status: 'APPROVED', version: 5, prdVersion: 1, latestPrdVersion: 1 }))).toEqual({ state: 'done' });
    });

    it.each(['CANCELLED', 'FAILED'] as const)('reports the task finished when it was %s', (status) => {
      expect(notificationState(review, task({ status, version: 5, prdVersion: 1, latestPrdVersion: 1 }))).toEqual({ state: 'task-finished' });
    });
  });

  it.each(['task-approved', 'task-cancelled', 'task-failed'] as const)('a final notification (%s) reports the task finished', (kind) => {
    expect(notificationState(about(kind, 9), task({ status: 'APPROVED', version: 9 }))).toEqual({ state: 'task-finished' });
  });

  describe('a stall alert (with its re-drive link, raised at task version 3)', () => {
    const stalled = about('alert-stalled', 3);

    it('needs you while the task stays where it stalled', () => {
      expect(notificationState(stalled, task({ status: 'REQUEST_VALIDATION', version: 3 }))).toEqual({ state: 'needs-you' });
    });

    it('is done once the task moved on', () => {
      expect(notificationState(stalled, task({ status: 'PRD_VALIDATION', version: 4 }))).toEqual({ state: 'done' });
    });

    it('reports the task finished once it ended', () => {
      expect(notificationState(stalled, task({ status: 'CANCELLED', version: 4 }))).toEqual({ state: 'task-finished' });
    });
  });

  it('an alert without a link (moved on) needs nobody', () => {
    expect(notificationState(about('alert-moved-on', 3), task({ status: 'REQUEST_VALIDATION', version: 3 }))).toEqual({ state: 'done' });
  });

  it('an alert about a failed task reports it finished', () => {
    expect(notificationState(about('alert-task-failed', 4), task({ status: 'FAILED', version: 4 }))).toEqual({ state: 'task-finished' });
  });

  it('a "no live worker" alert (about no task) needs you until read; "worker back" needs nobody', () => {
    expect(notificationState(about('alert-no-worker', null), undefined)).toEqual({ state: 'needs-you' });
    expect(notificationState(about('alert-no-worker', null, null, new Date('2026-12-01T00:00:00Z')), undefined)).toEqual({ state: 'done' });
    expect(notificationState(about('alert-worker-back', null), undefined)).toEqual({ state: 'done' });
  });
});
