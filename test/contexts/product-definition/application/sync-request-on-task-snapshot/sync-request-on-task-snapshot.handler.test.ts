import { PrdDrafted } from '../../../../../src/contexts/product-definition/contracts';
import { RequestClarification, SubmitPrd, TaskSnapshotPublished } from '../../../../../src/contexts/task-management/contracts';
import { deterministicId } from '../../../../../src/shared/messaging/envelope';
import { anAuthoredPrd, DARK_MODE_REQUEST, RULE_BASED_USAGE } from '../../../../support/prd-document';
import { DATABASE_START_MS, type Harness, openHarness, ScriptedAgent } from '../../support/product-definition.harness';
import { TaskStory } from '../../../../support/task-story';

describe('SyncRequestOnTaskSnapshot (product-definition.task-events)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  }, DATABASE_START_MS);
  afterAll(() => h?.close());
  beforeEach(() => h.clearWork());

  const requestVersion = async (taskId: string): Promise<unknown> =>
    (await h.db.dataSource.query<Array<{ task_version: number }>>(`SELECT task_version FROM product_definition.requests WHERE task_id = $1`, [taskId]))[0]
      ?.task_version;

  it('keeps a copy of a new task but owes nothing for it yet', async () => {
    const story = TaskStory.created();

    await h.deliver(story.snapshot());

    expect(await requestVersion(story.taskId)).toBe(1);
    expect(await h.workItems(story.taskId)).toEqual([]);
  });

  it('creates one pending work item for a task awaiting the product-manager pool, and wakes the pollers', async () => {
    const story = TaskStory.created({ priority: 'urgent' }).startValidation();
    const kicksBefore = h.kicks.count;

    await h.deliver(story.snapshot());

    expect(await h.workItems(story.taskId)).toEqual([{ task_version: 2, status: 'pending', priority_rank: 3, lease_owner: null, attempts: 0 }]);
    expect(h.kicks.count).toBe(kicksBefore + 1);
  });

  it('creates no second item for a redelivered or re-published snapshot', async () => {
    const story = TaskStory.created().startValidation();
    const first = await h.deliver(story.snapshot());

    await h.handler.handle(first);
    await h.deliver(story.snapshot(), TaskSnapshotPublished);

    expect(await h.workItems(story.taskId)).toHaveLength(1);
    expect(await h.outbox(story.taskId)).toEqual([]);
  });

  it('ignores a snapshot older than the copy it holds', async () => {
    const older = TaskStory.created().startValidation();
    const story = older.askQuestions(['Who will use it?']);

    await h.deliver(story.snapshot());
    await h.deliver(older.snapshot());

    expect(await requestVersion(story.taskId)).toBe(3);
    expect(await h.workItems(story.taskId)).toEqual([]);
  });

  it('re-sends the stored outcome with the same message id while the task still waits at that version', async () => {
    const story = TaskStory.created().startValidation();
    await h.deliver(story.snapshot());
    await h
      .poller(
        new ScriptedAgent(() => ({
          kind: 'questions',
          questions: [{ field: 'audience', question: 'Who will use it?', why: 'The stories need a role.' }],
          usage: RULE_BASED_USAGE,
        })),
      )
      .pollOnce('poller-1');
    const [sent] = await h.outbox(story.taskId);

    await h.deliver(story.snapshot(), TaskSnapshotPublished);

    const outbox = await h.outbox(story.taskId);
    expect(sent).toMatchObject({ type: RequestClarification.type, messageId: deterministicId('pd-outcome', story.taskId, 2) });
    expect(outbox).toHaveLength(2);
    expect(outbox[1]).toMatchObject({ type: sent?.type, messageId: sent?.messageId, payload: sent?.payload });
    expect(await h.workItems(story.taskId)).toHaveLength(1);
  });

  it('re-emits PrdDrafted for the PRD awaiting review when the task is re-announced, not on the live move', async () => {
    const story = TaskStory.created(DARK_MODE_REQUEST).startValidation();
    await h.deliver(story.snapshot());
    await h.poller(new ScriptedAgent(() => ({ kind: 'prd', prd: anAuthoredPrd(), usage: RULE_BASED_USAGE }))).pollOnce('poller-1');
    const [drafted, submitted] = await h.outbox(story.taskId);
    const reviewing = story.submitPrd(1);

    await h.deliver(reviewing.snapshot());
    await h.deliver(reviewing.snapshot(), TaskSnapshotPublished);

    expect(drafted).toMatchObject({ type: PrdDrafted.type, messageId: deterministicId('prd-drafted', story.taskId, 1) });
    expect(submitted).toMatchObject({ type: SubmitPrd.type, payload: { prdVersion: 1, expectedVersion: 2 } });
    const again = (await h.outbox(story.taskId)).slice(2);
    expect(again).toHaveLength(1);
    for (const envelope of again) expect(envelope).toMatchObject({ type: PrdDrafted.type, messageId: drafted?.messageId, payload: drafted?.payload });
  });

  it('re-emits PrdDrafted for the PRD an approved task ended with when it is re-announced, not on the live move', async () => {
    const story = TaskStory.created(DARK_MODE_REQUEST).startValidation();
    await h.deliver(story.snapshot());
    await h.poller(new ScriptedAgent(() => ({ kind: 'prd', prd: anAuthoredPrd(), usage: RULE_BASED_USAGE }))).pollOnce('poller-1');
    const [drafted] = await h.outbox(story.taskId);
    const approved = story.submitPrd(1).approve();

    await h.deliver(approved.snapshot());
    expect(await h.outbox(story.taskId)).toHaveLength(2);
    await h.deliver(approved.snapshot(), TaskSnapshotPublished);

    const again = (await h.outbox(story.taskId)).slice(2);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ type: PrdDrafted.type, messageId: deterministicId('prd-drafted', story.taskId, 1), payload: drafted?.payload });
  });

  it('owes no PrdDrafted for a finished task that never had a PRD', async () => {
    const story = TaskStory.created().startValidation();
    await h.deliver(story.snapshot());
    const cancelled = story.cancel();

    await h.deliver(cancelled.snapshot(), TaskSnapshotPublished);

    expect(await h.outbox(story.taskId)).toEqual([]);
  });

  it('supersedes an unfinished item once the task has moved past its version', async () => {
    const story = TaskStory.created().startValidation();
    await h.deliver(story.snapshot());
    const answered = story.askQuestions(['Who will use it?']).answer([{ question: 'Who will use it?', answer: 'Managers' }]);

    await h.deliver(answered.snapshot());

    expect((await h.workItems(story.taskId)).map((item) => [item.task_version, item.status])).toEqual([
      [2, 'superseded'],
      [4, 'pending'],
    ]);
  });

  it('cancels unfinished items when the task ends', async () => {
    const story = TaskStory.created().startValidation();
    await h.deliver(story.snapshot());

    await h.deliver(story.cancel().snapshot());

    expect((await h.workItems(story.taskId)).map((item) => item.status)).toEqual(['cancelled']);
    expect(await requestVersion(story.taskId)).toBe(3);
  });
});
