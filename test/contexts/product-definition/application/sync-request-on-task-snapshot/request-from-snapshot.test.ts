import { requestFromSnapshot } from '../../../../../src/contexts/product-definition/application/sync-request-on-task-snapshot/request-from-snapshot';
import { TaskStory } from '../../../../support/task-story';

describe('requestFromSnapshot', () => {
  it('pairs each round of questions with the answers that followed it', () => {
    const story = TaskStory.created({ priority: 'high' })
      .startValidation()
      .askQuestions(['Who will use it?', 'What problem should it solve?'])
      .answer([
        { question: 'What problem should it solve?', answer: 'Slow reports' },
        { question: 'Who will use it?', answer: 'Managers' },
      ])
      .askQuestions(['What constraints apply?'])
      .answer([{ question: 'What constraints apply? (reworded)', answer: 'None' }]);

    const request = requestFromSnapshot(story.snapshot());

    expect(request).toMatchObject({ taskId: story.taskId, priority: 'high', taskVersion: 6, taskStatus: 'REQUEST_VALIDATION', clarificationRounds: 2 });
    expect(request.clarificationLog).toEqual([
      { question: 'Who will use it?', answer: 'Managers' },
      { question: 'What problem should it solve?', answer: 'Slow reports' },
      { question: 'What constraints apply?', answer: 'None' },
    ]);
    expect(request.feedback).toEqual([]);
  });

  it('collects every rejection with the PRD version it was about, oldest first', () => {
    const story = TaskStory.created().startValidation().submitPrd(1).reject('Add metrics').submitPrd(2).reject('Too broad');

    expect(requestFromSnapshot(story.snapshot()).feedback).toEqual([
      { prdVersion: 1, feedback: 'Add metrics' },
      { prdVersion: 2, feedback: 'Too broad' },
    ]);
  });
});
