import { SubmitPrd } from '../../../../../../src/contexts/task-management/contracts';
import { eventually } from '../../../../../support/eventually';
import { FakeLlmServer } from '../../../../../support/fake-llm-server';
import { TaskStory } from '../../../../../support/task-story';
import { DATABASE_START_MS, type Harness, openHarness } from '../../../support/product-definition.harness';
import { agentFor, DARK_MODE, prdReply, TestTime } from './llm-test-kit';

const TASKS = 4;

describe('the product-manager pool with the LLM agent against the fake server', () => {
  let h: Harness;
  let server: FakeLlmServer;
  beforeAll(async () => {
    h = await openHarness();
  }, DATABASE_START_MS);
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('stops claiming while the breaker is open, resumes after the cool-down, and finishes every task once', async () => {
    const time = new TestTime();
    server = await FakeLlmServer.start({ now: time.now, fallback: { kind: 'reply', content: prdReply() } });
    server.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const { agent } = agentFor(server, { breakerFailures: 2, breakerCooldownMs: 10_000, maxRetries: 0, maxConcurrency: 1 }, { time });
    const taskIds: string[] = [];
    for (let i = 0; i < TASKS; i += 1) {
      const snapshot = TaskStory.created({ ...DARK_MODE })
        .startValidation()
        .snapshot();
      taskIds.push(snapshot.taskId);
      await h.deliver(snapshot);
    }
    const pool = h.poller(agent, { pollerCount: 2, pollIntervalMs: 10, maxAttempts: 3 });
    pool.loop.start();
    try {
      await eventually(() => expect(agent.availability().state).toBe('paused'), { timeoutMs: 10_000 });
      // Paused: the items the two failures released stay pending with their attempts, and nothing more is claimed.
      await eventually(async () => {
        const items = (await Promise.all(taskIds.map((id) => h.workItems(id)))).flat();
        expect(items.filter((item) => item.lease_owner !== null)).toHaveLength(0);
      });

      time.advance(10_000);
      pool.kick();
      await eventually(
        async () => {
          const items = (await Promise.all(taskIds.map((id) => h.workItems(id)))).flat();
          expect(items.every((item) => item.status === 'done')).toBe(true);
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      await pool.loop.stop();
    }
    expect(agent.availability().state).toBe('available');
    for (const taskId of taskIds) {
      const submitted = (await h.outbox(taskId)).filter((envelope) => envelope.type === SubmitPrd.type);
      expect(submitted).toHaveLength(1);
    }
    // Two failures, then one successful call per task: nothing was assessed twice.
    expect(server.requests).toHaveLength(2 + TASKS);
  });
});
