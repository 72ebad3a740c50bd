import { hostname } from 'node:os';
import { SyncRequestOnTaskSnapshot } from '../../../../../src/contexts/product-definition/application/sync-request-on-task-snapshot/sync-request-on-task-snapshot.handler';
import { PrdDrafted } from '../../../../../src/contexts/product-definition/contracts';
import type { Assessment } from '../../../../../src/contexts/product-definition/domain/product-manager-agent';
import { postgresProductDefinitionRepositories } from '../../../../../src/contexts/product-definition/infrastructure/persistence/postgres-repositories';
import { FailTask, RequestClarification, SubmitPrd, type TaskPriority, TaskStatusChanged } from '../../../../../src/contexts/task-management/contracts';
import { NonRetryableError } from '../../../../../src/shared/kernel/errors';
import { message } from '../../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId } from '../../../../../src/shared/messaging/envelope';
import { eventually } from '../../../../support/eventually';
import { DATABASE_START_MS, type Harness, openHarness, ScriptedAgent } from '../../support/product-definition.harness';
import { anAuthoredPrd, aPrdDocument, DARK_MODE_REQUEST, RULE_BASED_USAGE } from '../../../../support/prd-document';
import { TaskStory } from '../../../../support/task-story';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The poller has claimed its item and is waiting on the agent. */
const agentCalled = (agent: ScriptedAgent) => eventually(() => expect(agent.calls.length).toBeGreaterThan(0));

const questions: Assessment = {
  kind: 'questions',
  questions: [{ field: 'audience', question: 'Who will use it?', why: 'The user stories need a role.' }],
  usage: RULE_BASED_USAGE,
};
const RENDERED_QUESTION = 'About who it is for: Who will use it? Why it matters: The user stories need a role.';
const outcomeId = (story: TaskStory) => deterministicId('pd-outcome', story.taskId, story.version);

describe('TaskPollingService', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  }, DATABASE_START_MS);
  afterAll(() => h?.close());
  beforeEach(() => h.clearWork());

  const awaitingValidation = async (fields: { priority?: TaskPriority; description?: string } = {}): Promise<TaskStory> => {
    const story = TaskStory.created({ ...DARK_MODE_REQUEST, ...fields }).startValidation();
    await h.deliver(story.snapshot());
    return story;
  };

  it('serves the highest priority first, then the oldest', async () => {
    const created: Record<string, string> = {};
    for (const [name, priority] of [
      ['low', 'low'],
      ['normal-old', 'normal'],
      ['urgent', 'urgent'],
      ['normal-new', 'normal'],
      ['high', 'high'],
    ] as const) {
      created[(await awaitingValidation({ priority })).taskId] = name;
      h.clock.advance(1_000);
    }
    const agent = new ScriptedAgent(() => questions);
    const poller = h.poller(agent);

    while (await poller.pollOnce('poller-1'));

    expect(agent.calls.map((call) => created[call.taskId])).toEqual(['urgent', 'high', 'normal-old', 'normal-new', 'low']);
  });

  it('sends the questions to Task Management for the version the agent saw', async () => {
    const story = await awaitingValidation();

    expect(await h.poller(new ScriptedAgent(() => questions)).pollOnce('poller-1')).toBe(true);

    expect(await h.outbox(story.taskId)).toEqual([
      expect.objectContaining({
        type: RequestClarification.type,
        messageId: outcomeId(story),
        payload: { taskId: story.taskId, questions: [RENDERED_QUESTION], expectedVersion: 2 },
      }),
    ]);
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 1, lease_owner: 'poller-1' })]);
  });

  it('stores each PRD as the next version, announces it and submits it; feedback reaches the agent', async () => {
    const story = await awaitingValidation();
    const agent = new ScriptedAgent((input) => ({
      kind: 'prd',
      prd:
        input.feedback.length === 0
          ? anAuthoredPrd()
          : anAuthoredPrd({
              functionalRequirements: [
                ...anAuthoredPrd().functionalRequirements,
                { id: 'FR-2', description: 'Show the order age', priority: 'P1', sources: [{ kind: 'feedback', index: 1, quote: 'the order age' }] },
              ],
              changeLog: [{ feedback: 1, summary: 'Added the order age', added: ['FR-2'], changed: [], removed: [], sections: [] }],
            }),
      usage: RULE_BASED_USAGE,
    }));
    const poller = h.poller(agent);
    await poller.pollOnce('poller-1');
    await h.deliver(story.submitPrd(1).reject('Add the order age').snapshot());

    await poller.pollOnce('poller-1');

    expect(agent.calls[1]).toMatchObject({ feedback: [{ prdVersion: 1, feedback: 'Add the order age' }], previousPrd: aPrdDocument() });
    const stored: Array<{ document: unknown }> = await h.db.dataSource.query(
      `SELECT document FROM product_definition.prds WHERE task_id = $1 AND version = 2`,
      [story.taskId],
    );
    // What only the service may write comes from its own copy of the request, not from the agent.
    expect(stored[0]?.document).toMatchObject({
      originalRequest: `${DARK_MODE_REQUEST.title}\n\n${DARK_MODE_REQUEST.description}`,
      feedback: [{ prdVersion: 1, feedback: 'Add the order age' }],
      generatedBy: RULE_BASED_USAGE,
      changeLog: [{ feedback: 1, added: ['FR-2'] }],
    });
    const outbox = await h.outbox(story.taskId);
    expect(outbox.map((e) => [e.type, e.messageId])).toEqual([
      [PrdDrafted.type, deterministicId('prd-drafted', story.taskId, 1)],
      [SubmitPrd.type, deterministicId('pd-outcome', story.taskId, 2)],
      [PrdDrafted.type, deterministicId('prd-drafted', story.taskId, 2)],
      [SubmitPrd.type, deterministicId('pd-outcome', story.taskId, 4)],
    ]);
    expect(outbox[3]?.payload).toEqual({ taskId: story.taskId, prdVersion: 2, expectedVersion: 4 });
    const prds: unknown = await h.db.dataSource.query(
      `SELECT version, based_on_task_version FROM product_definition.prds WHERE task_id = $1 ORDER BY version`,
      [story.taskId],
    );
    expect(prds).toEqual([
      { version: 1, based_on_task_version: 2 },
      { version: 2, based_on_task_version: 4 },
    ]);
  });

  it('fails the task when the agent gives up', async () => {
    const story = await awaitingValidation();

    await h.poller(new ScriptedAgent(() => ({ kind: 'give-up', reason: 'Nothing to work with' }))).pollOnce('poller-1');

    expect(await h.outbox(story.taskId)).toEqual([
      expect.objectContaining({
        type: FailTask.type,
        messageId: outcomeId(story),
        payload: { taskId: story.taskId, reason: 'Nothing to work with', expectedVersion: 2 },
      }),
    ]);
  });

  it('retries an agent that fails, and fails the task after the last attempt', async () => {
    const story = await awaitingValidation();
    const poller = h.poller(new ScriptedAgent(() => Promise.reject(new Error('model timed out'))), { maxAttempts: 3 });

    await poller.pollOnce('poller-1');
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1 })]);
    await poller.pollOnce('poller-2');
    expect(await h.outbox(story.taskId)).toEqual([]);
    await poller.pollOnce('poller-1');

    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 3 })]);
    expect(await h.outbox(story.taskId)).toEqual([
      expect.objectContaining({
        type: FailTask.type,
        messageId: outcomeId(story),
        payload: expect.objectContaining({ reason: expect.stringContaining('model timed out') }),
      }),
    ]);
  });

  it.each([
    ['the agent says trying again cannot help', () => Promise.reject(new NonRetryableError('the model refused the request'))],
    [
      'the agent writes a PRD that breaks a rule of the domain',
      (): Assessment => ({ kind: 'prd', prd: anAuthoredPrd({ title: '' }), usage: RULE_BASED_USAGE }),
    ],
  ])('fails the task at once, without another attempt, when %s', async (_case, script) => {
    const story = await awaitingValidation();
    const agent = new ScriptedAgent(script);

    await h.poller(agent, { maxAttempts: 3 }).pollOnce('poller-1');

    expect(agent.calls).toHaveLength(1);
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 1 })]);
    expect(await h.outbox(story.taskId)).toEqual([
      expect.objectContaining({
        type: FailTask.type,
        messageId: outcomeId(story),
        payload: expect.objectContaining({ reason: expect.stringContaining('trying again cannot fix') }),
      }),
    ]);
  });

  it('lets another poller take an item whose lease expired, and discards the first poller’s late result', async () => {
    const story = await awaitingValidation();
    const slow = deferred<Assessment>();
    const agent: ScriptedAgent = new ScriptedAgent((): Promise<Assessment> | Assessment =>
      agent.calls.length === 1 ? slow.promise : { kind: 'give-up', reason: 'second opinion' },
    );
    const first = h.poller(agent, { leaseMs: 60_000 });
    const second = h.poller(agent, { leaseMs: 60_000 });

    const firstPoll = first.pollOnce('poller-A');
    await agentCalled(agent);
    expect(await second.pollOnce('poller-B')).toBe(false); // the lease still holds
    h.clock.advance(60_001);
    expect(await second.pollOnce('poller-B')).toBe(true);
    slow.resolve(questions);
    await firstPoll;

    expect(await h.outbox(story.taskId)).toEqual([
      expect.objectContaining({ type: FailTask.type, payload: expect.objectContaining({ reason: 'second opinion' }) }),
    ]);
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', lease_owner: 'poller-B', attempts: 2 })]);
  });

  it('does not complete an item cancelled while the agent worked on it', async () => {
    const story = await awaitingValidation();
    const slow = deferred<Assessment>();
    const agent = new ScriptedAgent(() => slow.promise);
    const poll = h.poller(agent).pollOnce('poller-1');
    await agentCalled(agent);

    await h.deliver(story.cancel().snapshot());
    slow.resolve(questions);
    await poll;

    expect(await h.outbox(story.taskId)).toEqual([]);
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  });

  it('once started, takes new work when kicked, and stop() waits for the item in flight', async () => {
    const slow = deferred<Assessment>();
    const agent = new ScriptedAgent(() => slow.promise);
    // A poll interval far beyond the test: only the kick can make the pollers look.
    const poller = h.poller(agent, { pollerCount: 2, pollIntervalMs: 600_000 });
    const handler = new SyncRequestOnTaskSnapshot(h.unitOfWork, postgresProductDefinitionRepositories, poller);
    poller.loop.start();
    const story = TaskStory.created().startValidation();

    await handler.handle(createEnvelope(message(TaskStatusChanged, story.taskId, story.snapshot())));
    await agentCalled(agent);
    let stopped = false;
    const stopping = poller.loop.stop().then(() => (stopped = true));
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    slow.resolve(questions);
    await stopping;

    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(await h.outbox(story.taskId)).toEqual([expect.objectContaining({ type: RequestClarification.type })]);
  });

  it('handles up to pollerCount items at once, each under its own lease owner naming the process', async () => {
    const slow = deferred<Assessment>();
    const agent = new ScriptedAgent(() => slow.promise);
    const poller = h.poller(agent, { pollerCount: 2, pollIntervalMs: 600_000 });
    const stories = [await awaitingValidation(), await awaitingValidation(), await awaitingValidation()];
    poller.loop.start();

    await eventually(() => expect(agent.calls).toHaveLength(2));
    const leased = (await Promise.all(stories.map((story) => h.workItems(story.taskId)))).flat().filter((item) => item.status === 'leased');
    const owners = leased.map((item) => item.lease_owner ?? '');
    expect(new Set(owners).size).toBe(2);
    for (const owner of owners) expect(owner.startsWith(`${hostname()}/${process.pid}/`)).toBe(true);
    slow.resolve(questions);
    await eventually(async () => expect(agent.calls).toHaveLength(3));
    await poller.loop.stop();

    for (const story of stories) expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 1 })]);
  });
  describe('holds every agent to the grounding check', () => {
    const ungrounded = anAuthoredPrd({
      goals: [{ text: 'Cut night-time complaints by 40%', sources: [{ kind: 'request', quote: 'too bright at night' }] }],
    });

    it('sends a refused draft back once with the findings, and stores the repaired one with both calls counted', async () => {
      const story = await awaitingValidation();
      const agent = new ScriptedAgent((input) => ({
        kind: 'prd',
        prd: input.repair ? anAuthoredPrd() : ungrounded,
        usage: { ...RULE_BASED_USAGE, calls: 1, tokensIn: 100, tokensOut: 10, callMs: 5 },
      }));

      await h.poller(agent).pollOnce('poller-1');

      expect(agent.calls).toHaveLength(2);
      expect(agent.calls[1]?.repair).toEqual({
        draft: ungrounded,
        findings: [{ path: 'goals[0]', code: 'unsupported-number', message: 'states 40, which none of its sources contains' }],
      });
      const stored: Array<{ document: { generatedBy: unknown } }> = await h.db.dataSource.query(
        `SELECT document FROM product_definition.prds WHERE task_id = $1`,
        [story.taskId],
      );
      expect(stored.map((row) => row.document.generatedBy)).toEqual([{ ...RULE_BASED_USAGE, calls: 2, tokensIn: 200, tokensOut: 20, callMs: 10 }]);
      expect((await h.outbox(story.taskId)).map((e) => e.type)).toEqual([PrdDrafted.type, SubmitPrd.type]);
    });

    it('stores nothing when the repair fails too: the attempt is retried like any failure, then the task fails naming the finding', async () => {
      const story = await awaitingValidation();
      const agent = new ScriptedAgent(() => ({ kind: 'prd', prd: ungrounded, usage: RULE_BASED_USAGE }));
      const poller = h.poller(agent, { maxAttempts: 2 });

      await poller.pollOnce('poller-1');
      expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1 })]);
      expect(await h.outbox(story.taskId)).toEqual([]);
      await poller.pollOnce('poller-1');

      expect(agent.calls).toHaveLength(4);
      expect(await h.outbox(story.taskId)).toEqual([
        expect.objectContaining({
          type: FailTask.type,
          payload: expect.objectContaining({ reason: expect.stringContaining('goals[0]: states 40, which none of its sources contains') }),
        }),
      ]);
    });

    it('refuses questions past the round limit instead of sending them', async () => {
      const story = await awaitingValidation();
      const agent = new ScriptedAgent(() => questions);

      await h.poller(agent, { maxClarificationRounds: 0, maxAttempts: 1 }).pollOnce('poller-1');

      expect(await h.outbox(story.taskId)).toEqual([
        expect.objectContaining({ type: FailTask.type, payload: expect.objectContaining({ reason: expect.stringContaining('after 0 round(s), the limit') }) }),
      ]);
    });
  });

  it('claims nothing while the agent is paused, and resumes when it is available again', async () => {
    const story = await awaitingValidation();
    const agent = new ScriptedAgent(() => questions);
    agent.state = { state: 'paused', reason: 'provider failing' };
    const poller = h.poller(agent, { pollIntervalMs: 600_000 });
    poller.loop.start();

    // Three passes asked the agent and found it paused (kicks make the passes, not time).
    for (let pass = 1; pass <= 3; pass += 1) {
      poller.kick();
      await eventually(() => expect(agent.availabilityChecks).toBeGreaterThanOrEqual(pass));
    }
    expect(agent.calls).toHaveLength(0);
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);

    agent.state = { state: 'available' };
    poller.kick();
    await eventually(async () => expect(await h.outbox(story.taskId)).toEqual([expect.objectContaining({ type: RequestClarification.type })]));
    await poller.loop.stop();
    expect(await h.workItems(story.taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 1 })]);
  });
});
