import { PRODUCT_MANAGER_POOL } from '../../src/contexts/task-management/contracts';
import { type Cause, Task } from '../../src/contexts/task-management/domain/task';
import { STEP_MS, TASK_STORY_T0, type TaskFields, TaskStory } from './task-story';

type Move = [tell: (story: TaskStory) => TaskStory, record: (task: Task, cause: Cause) => void];

/** The cause the aggregate would have recorded for the story's latest move. */
function causeOf(story: TaskStory): Cause {
  const latest = story.snapshot().history.at(-1);
  if (!latest) throw new Error('a task always has a history');
  return { actor: latest.actor, messageId: null, correlationId: null, at: new Date(latest.at) };
}

/** Tells the story and makes the same moves on a Task: after each, both announce the same snapshot. */
function tellBesideTheAggregate(fields: Partial<TaskFields>, moves: readonly Move[]): void {
  let story = TaskStory.created(fields);
  const task = Task.create(story.fields, causeOf(story));
  expect(story.snapshot()).toEqual(task.toSnapshot());
  for (const [tell, record] of moves) {
    story = tell(story);
    record(task, causeOf(story));
    expect(story.snapshot()).toEqual(task.toSnapshot());
  }
}

const QUESTIONS = ['Which invoice fields?', 'Which date range?'];

describe('TaskStory', () => {
  it('tells a task’s life as the Task aggregate records it, move by move', () => {
    tellBesideTheAggregate({ priority: 'high', requesterId: 'carol' }, [
      [(s) => s.startValidation(), (t, c) => t.startValidation(PRODUCT_MANAGER_POOL, c)],
      [(s) => s.askQuestions(), (t, c) => t.requestClarification(QUESTIONS, c)],
      [
        (s) => s.answer(),
        (t, c) =>
          t.provideClarification(
            'carol',
            QUESTIONS.map((question) => ({ question, answer: 'As the description says' })),
            c,
          ),
      ],
      [(s) => s.submitPrd(), (t, c) => t.submitPrd(1, c)],
      [(s) => s.reject('Add the totals'), (t, c) => t.rejectPrd('bob', 1, 'Add the totals', c)],
      [(s) => s.submitPrd(), (t, c) => t.submitPrd(2, c)],
      [(s) => s.approve(), (t, c) => t.approvePrd('bob', 2, c)],
    ]);
  });

  it('ends a task as the aggregate does: cancelled by its requester, or failed by the agent', () => {
    tellBesideTheAggregate({}, [[(s) => s.cancel(), (t, c) => t.cancel('alice', 'no longer needed', c)]]);
    tellBesideTheAggregate({}, [
      [(s) => s.startValidation(), (t, c) => t.startValidation(PRODUCT_MANAGER_POOL, c)],
      [(s) => s.fail(), (t, c) => t.fail('gave up', c)],
    ]);
  });

  it('leaves the story a move was called on as it was, and times each move a step after the last unless told', () => {
    const created = TaskStory.created();
    const validating = created.startValidation();
    const asked = validating.askQuestions(['Which columns?'], { at: new Date('2026-02-01T00:00:00.000Z'), actor: 'service:someone-else' });
    expect([created.version, validating.version, asked.version]).toEqual([1, 2, 3]);
    expect(validating.snapshot().updatedAt).toBe(new Date(TASK_STORY_T0.getTime() + STEP_MS).toISOString());
    expect(asked.snapshot().history.at(-1)).toMatchObject({ at: '2026-02-01T00:00:00.000Z', actor: 'service:someone-else', questions: ['Which columns?'] });
    expect(asked.taskId).toBe(created.taskId);
  });
});
