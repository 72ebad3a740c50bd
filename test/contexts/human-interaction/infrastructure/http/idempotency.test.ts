import type { Database } from '../../../../../src/shared/persistence/data-source';
import { openTestDatabase } from '../../../../support/database';
import { auth, buildHumanInteraction, type HumanInteractionHarness } from '../../support/human-interaction.harness';

/** Idempotency-Key on embedded PGlite (one connection: the waiting request queues for it). */
describe('Idempotency-Key on PGlite', () => {
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

  const submit = async (key: string) => {
    const address = h.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const response = await fetch(`http://127.0.0.1:${address.port}/api/tasks`, {
      method: 'POST',
      headers: { ...auth('alice'), 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ title: 'Export invoices', description: 'As CSV, monthly.' }),
    });
    return { status: response.status, body: await response.text(), replayed: response.headers.get('idempotent-replayed') };
  };
  const taskIds = async () =>
    (h.http({ method: 'GET', url: '/api/tasks', headers: auth('alice') }).then((r) => r.json()) as Promise<{ tasks: Array<{ taskId: string }> }>).then((b) =>
      b.tasks.map((t) => t.taskId),
    );

  it('runs three concurrent submits with one key once, each getting the same answer', async () => {
    const before = await taskIds();
    const answers = await Promise.all([submit('pglite-key'), submit('pglite-key'), submit('pglite-key')]);
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    expect(answers[0]?.status).toBe(202);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(2);
    expect((await taskIds()).length).toBe(before.length + 1);
  });

  it('forgets a key after IDEMPOTENCY_KEY_TTL_MS (24 h by default): the same key then submits again', async () => {
    const first = await submit('expiring-key');
    h.clock.advance(24 * 3_600_000 - 1_000);
    expect(await submit('expiring-key')).toEqual({ ...first, replayed: 'true' });
    h.clock.advance(2_000);
    const later = await submit('expiring-key');
    expect(later.status).toBe(202);
    expect(later.replayed).toBeNull();
    expect(later.body).not.toBe(first.body);
  });
});
