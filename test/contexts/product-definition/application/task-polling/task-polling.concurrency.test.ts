import { TaskPollingService } from '../../../../../src/contexts/product-definition/application/task-polling/task-polling.service';
import type { AssessmentInput } from '../../../../../src/contexts/product-definition/domain/product-manager-agent';
import { RuleBasedProductManagerAgent } from '../../../../../src/contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent';
import { postgresProductDefinitionRepositories } from '../../../../../src/contexts/product-definition/infrastructure/persistence/postgres-repositories';
import { productDefinitionOptions } from '../../../../../src/contexts/product-definition/product-definition.options';
import { FailTask, RequestClarification, SubmitPrd, TASK_PRIORITIES } from '../../../../../src/contexts/task-management/contracts';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { DATABASE_START_MS, type Harness, openHarness, ScriptedAgent } from '../../support/product-definition.harness';
import { COMPLETE_REQUEST, VAGUE_REQUEST } from '../../support/requests.mother';
import { TaskStory } from '../../../../support/task-story';

const TASKS = 200;

describe('TaskPollingService under concurrency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  }, DATABASE_START_MS);
  afterAll(() => h?.close());

  it(`processes each of ${TASKS} work items exactly once with three pollers at work`, async () => {
    for (let i = 0; i < TASKS; i += 1) {
      const request = i % 2 === 0 ? COMPLETE_REQUEST : VAGUE_REQUEST;
      await h.deliver(
        TaskStory.created({ ...request, priority: TASK_PRIORITIES[i % TASK_PRIORITIES.length] })
          .startValidation()
          .snapshot(),
      );
    }
    const realAgent = new RuleBasedProductManagerAgent();
    // Yielding inside the agent lets the other pollers claim while one is "thinking".
    const agent = new ScriptedAgent(async (input: AssessmentInput) => {
      await new Promise((resolve) => setImmediate(resolve));
      return realAgent.assess(input);
    });
    const options = productDefinitionOptions({ leaseMs: 60_000 });
    const pollers = ['poller-1', 'poller-2', 'poller-3'].map((id) => ({
      id,
      service: new TaskPollingService(h.unitOfWork, postgresProductDefinitionRepositories, agent, options, silentLogger()),
    }));

    await Promise.all(
      pollers.map(async ({ id, service }) => {
        while (await service.pollOnce(id));
      }),
    );

    const outcomes: Array<{ key: string; type: string; message_id: string }> = await h.db.dataSource.query(
      `SELECT message_key AS key, type, message_id FROM messaging.outbox WHERE type = ANY($1)`,
      [[RequestClarification.type, SubmitPrd.type, FailTask.type]],
    );
    expect(outcomes).toHaveLength(TASKS);
    expect(new Set(outcomes.map((o) => o.key)).size).toBe(TASKS);
    expect(new Set(outcomes.map((o) => o.message_id)).size).toBe(TASKS);
    expect(outcomes.filter((o) => o.type === SubmitPrd.type)).toHaveLength(TASKS / 2);

    const prds: Array<{ tasks: number; versions: number; max: number }> = await h.db.dataSource.query(
      `SELECT count(DISTINCT task_id)::int AS tasks, count(*)::int AS versions, max(version)::int AS max FROM product_definition.prds`,
    );
    expect(prds[0]).toEqual({ tasks: TASKS / 2, versions: TASKS / 2, max: 1 });

    const items: Array<{ status: string; attempts: number; n: number }> = await h.db.dataSource.query(
      `SELECT status, attempts, count(*)::int AS n FROM product_definition.work_items GROUP BY status, attempts`,
    );
    expect(items).toEqual([{ status: 'done', attempts: 1, n: TASKS }]);
    expect(agent.calls).toHaveLength(TASKS);

    const owners: Array<{ owner: string }> = await h.db.dataSource.query(`SELECT DISTINCT lease_owner AS owner FROM product_definition.work_items`);
    expect(owners.length).toBeGreaterThan(1);
  }, 60_000);
});
