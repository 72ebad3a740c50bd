import { decideDrive } from '../../../../src/contexts/orchestration/domain/drive-decision';
import { projectSnapshot, type TaskProjection } from '../../../../src/contexts/orchestration/domain/task-projection';
import { DEFAULT_ORCHESTRATION_OPTIONS } from '../../../../src/contexts/orchestration/orchestration.options';
import { T0 } from '../support/orchestration.harness';
import { TaskStory } from '../../../support/task-story';

const at = (ms: number) => new Date(T0.getTime() + ms);

describe('projecting a task snapshot', () => {
  it('keeps the questions of the latest clarification round and when the current status began', () => {
    const task = TaskStory.created(T0).startValidation(at(1)).askQuestions(['First round?'], at(2)).answer(at(3)).askQuestions(['Second round?'], at(4));

    expect(projectSnapshot(task.snapshot())).toMatchObject({ status: 'CLARIFICATION_NEEDED', version: 5, questions: ['Second round?'], statusSince: at(4) });
  });
});

describe('deciding what a task is owed', () => {
  const driven = (story: TaskStory, drivenAt: Date): TaskProjection => ({
    ...projectSnapshot(story.snapshot()),
    drivenVersion: story.version,
    drivenAt,
    alertedVersion: 0,
  });

  it('owes nothing for a task product definition is working on, until it stalls', () => {
    const task = driven(TaskStory.created(T0).startValidation(T0), T0);
    const threshold = DEFAULT_ORCHESTRATION_OPTIONS.stalledAfterMs.REQUEST_VALIDATION;

    expect(decideDrive(task, at(threshold), DEFAULT_ORCHESTRATION_OPTIONS)).toBeNull();
    expect(decideDrive(task, at(threshold + 1), DEFAULT_ORCHESTRATION_OPTIONS)).toMatchObject({
      step: null,
      alertedVersion: 2,
      stall: { thresholdMs: threshold },
    });
  });

  it('owes a driven terminal task nothing, however long ago it was driven', () => {
    const task = driven(TaskStory.created(T0).cancel(T0), T0);
    expect(decideDrive(task, at(365 * 24 * 3_600_000), DEFAULT_ORCHESTRATION_OPTIONS)).toBeNull();
  });
});
