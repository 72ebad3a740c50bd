import Fastify from 'fastify';
import { PrdDrafted } from '../../../../../src/contexts/product-definition/contracts';
import { createEnvelope, deterministicId } from '../../../../../src/shared/messaging/envelope';
import { message } from '../../../../../src/shared/messaging/contract-registry';
import type { Database } from '../../../../../src/shared/persistence/data-source';
import { type z } from 'zod';
import {
  type conflictError,
  type invalidRequestError,
  prdDiffView,
  type submittedView,
  type taskDetailsView,
  type taskListView,
} from '../../../../../src/contexts/human-interaction/infrastructure/http/response-schemas';
import { openTestDatabase } from '../../../../support/database';
import {
  auth,
  buildHumanInteraction,
  deliverPrd,
  deliverSnapshot,
  httpClient,
  type HumanInteractionHarness,
  outboxFor,
} from '../../support/human-interaction.harness';
import { aPrdDocument, aRevisedPrdDocument, REVISION_FEEDBACK } from '../../../../support/prd-document';
import { QUESTIONS, TaskStory } from '../../../../support/task-story';
import { UNAUTHORIZED } from '../../../../support/unauthorized';

type Details = z.infer<typeof taskDetailsView>;
type Invalid = z.infer<typeof invalidRequestError>;
type Conflict = z.infer<typeof conflictError>;

describe('Human Interaction HTTP API', () => {
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

  const post = (url: string, user: Parameters<typeof auth>[0], payload?: object) =>
    h.http({ method: 'POST', url, headers: auth(user), ...(payload ? { payload } : {}) });
  const get = (url: string, user: Parameters<typeof auth>[0]) => h.http({ method: 'GET', url, headers: auth(user) });
  const submit = (payload: object = { title: 'Export invoices', description: 'As CSV, monthly.' }) => post('/api/tasks', 'alice', payload);
  describe('authentication', () => {
    it('refuses a request without a token or with an unknown one, with one body saying what to send', async () => {
      const none = await h.http({ method: 'GET', url: '/api/tasks' });
      const wrong = await h.http({ method: 'GET', url: '/api/tasks', headers: { authorization: 'Bearer alice-secret-tokeN' } });
      expect([none.statusCode, none.json()]).toEqual([401, UNAUTHORIZED]);
      expect([wrong.statusCode, wrong.json()]).toEqual([401, UNAUTHORIZED]);
    });

    it('leaves routes outside /api to the composition root', async () => {
      const app = Fastify();
      app.get('/health', async () => ({ ok: true }));
      h.api.register(app);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const http = httpClient(app);
      expect((await http({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
      expect((await http({ method: 'GET', url: '/api/nowhere', headers: auth('alice') })).json()).toEqual({ error: 'not_found' });
      await app.close();
    });
  });

  describe('submitting a request', () => {
    it('accepts it and sends create-task to task management in the same transaction', async () => {
      const response = await submit({ title: 'Export invoices', description: 'As CSV, monthly.', priority: 'high' });
      expect(response.statusCode).toBe(202);
      const { taskId, status, links } = response.json() as z.infer<typeof submittedView>;
      expect([status, links]).toEqual(['NEW', { self: `/api/tasks/${taskId}` }]);
      expect(await outboxFor(db, taskId)).toEqual([
        expect.objectContaining({
          type: 'task-management.create-task.v1',
          messageId: deterministicId('human-action', taskId, 0, 'create'),
          payload: { taskId, title: 'Export invoices', description: 'As CSV, monthly.', requesterId: 'alice', approverId: 'bob', priority: 'high' },
        }),
      ]);
      expect(((await get(`/api/tasks/${taskId}`, 'alice')).json() as Details).task).toMatchObject({
        status: 'NEW',
        version: 0,
        priority: 'high',
        prdVersion: null,
      });
    });

    it('names the field of a bad body, and says the body is not JSON', async () => {
      const bad = await submit({ title: 'x'.repeat(201), description: 'ok', colour: 'red' });
      const notJson = await h.http({
        method: 'POST',
        url: '/api/tasks',
        headers: { ...auth('alice'), 'content-type': 'application/json' },
        payload: '{"title":',
      });
      expect(bad.statusCode).toBe(400);
      expect((bad.json() as Invalid).error).toBe('invalid_request');
      expect((bad.json() as Invalid).issues.map((i) => i.field).sort()).toEqual(['colour', 'title']);
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json()).toMatchObject({ error: 'invalid_request', issues: [{ field: 'body' }] });
    });

    it('refuses an approver who is not one, and a caller who may not request', async () => {
      const notApprover = await submit({ title: 'T', description: 'D', approverId: 'carol' });
      const byApprover = await post('/api/tasks', 'bob', { title: 'T', description: 'D' });
      expect(notApprover.statusCode).toBe(400);
      expect((notApprover.json() as Invalid).issues).toEqual([{ field: 'approverId', message: 'carol is not an approver' }]);
      expect(byApprover.statusCode).toBe(403);
    });
  });

  describe('reading tasks', () => {
    it('answers 404 for an unknown task and 403 to someone who takes no part in it', async () => {
      const snapshot = TaskStory.created().snapshot();
      await deliverSnapshot(h, snapshot);
      expect((await get('/api/tasks/no-such-task', 'alice')).json()).toMatchObject({ error: 'not_found' });
      expect((await get(`/api/tasks/${snapshot.taskId}`, 'carol')).statusCode).toBe(403);
      expect((await get(`/api/tasks/${snapshot.taskId}`, 'bob')).statusCode).toBe(200);
      expect((await get(`/api/tasks/${snapshot.taskId}`, 'dave')).statusCode).toBe(200);
    });

    it("lists a requester's own tasks, an approver's tasks to approve and, for an admin, all", async () => {
      const alices = TaskStory.created({ requesterId: 'alice' }).snapshot();
      const carols = TaskStory.created({ requesterId: 'carol' }).snapshot();
      await deliverSnapshot(h, alices);
      await deliverSnapshot(h, carols);
      const ids = async (user: Parameters<typeof auth>[0]) =>
        ((await get('/api/tasks', user)).json() as z.infer<typeof taskListView>).tasks.map((t) => t.taskId);
      expect(await ids('alice')).toContain(alices.taskId);
      expect(await ids('alice')).not.toContain(carols.taskId);
      expect(await ids('bob')).toEqual(expect.arrayContaining([alices.taskId, carols.taskId]));
      expect(await ids('dave')).toEqual(expect.arrayContaining([alices.taskId, carols.taskId]));
    });

    it('shows the history, the clarification dialogue and the PRD awaiting a decision', async () => {
      const asked = TaskStory.created().startValidation().askQuestions();
      const answered = asked.answer([{ question: QUESTIONS[1], answer: 'Last month' }]);
      const drafted = answered.submitPrd(1);
      await deliverSnapshot(h, drafted.snapshot());
      const draftedAt = '2026-01-05T09:30:00.000Z';
      await h.recordPrd.handle(
        createEnvelope(message(PrdDrafted, drafted.taskId, { taskId: drafted.taskId, prdVersion: 1, basedOnTaskVersion: 4, prd: aPrdDocument(), draftedAt })),
      );
      const body = (await get(`/api/tasks/${drafted.taskId}`, 'bob')).json() as Details;
      expect(body.task).toMatchObject({ status: 'PRD_VALIDATION', version: 5, prdVersion: 1, requesterId: 'alice', approverId: 'bob' });
      expect(body.history.map((t) => t.to)).toEqual(['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'REQUEST_VALIDATION', 'PRD_VALIDATION']);
      expect(body.clarifications).toEqual([{ question: QUESTIONS[0] }, { question: QUESTIONS[1], answer: 'Last month' }]);
      expect(body.prd).toEqual({ version: 1, document: aPrdDocument() });
      expect(body.prdVersions).toEqual([1]);
    });
  });

  describe('answering questions', () => {
    it('sends provide-clarification once; a second answer for the same version is a conflict', async () => {
      const snapshot = TaskStory.created().startValidation().askQuestions().snapshot();
      await deliverSnapshot(h, snapshot);
      const answers = { answers: [{ question: QUESTIONS[0], answer: 'Number and total' }] };
      const first = await post(`/api/tasks/${snapshot.taskId}/answers`, 'alice', answers);
      const second = await post(`/api/tasks/${snapshot.taskId}/answers`, 'alice', answers);
      expect(first.statusCode).toBe(202);
      expect(second.statusCode).toBe(409);
      expect((second.json() as Conflict).error).toBe('conflict');
      expect(await outboxFor(db, snapshot.taskId)).toEqual([
        expect.objectContaining({
          type: 'task-management.provide-clarification.v1',
          messageId: deterministicId('human-action', snapshot.taskId, 3, 'answer'),
          payload: { taskId: snapshot.taskId, userId: 'alice', answers: answers.answers, expectedVersion: 3 },
        }),
      ]);
    });

    it('refuses answers from someone else, to unknown questions, or when none are awaited', async () => {
      const asking = TaskStory.created().startValidation().askQuestions().snapshot();
      const deciding = TaskStory.created().startValidation().submitPrd(1).snapshot();
      await deliverSnapshot(h, asking);
      await deliverSnapshot(h, deciding);
      const byApprover = await post(`/api/tasks/${asking.taskId}/answers`, 'bob', { answers: [{ question: QUESTIONS[0], answer: 'x' }] });
      const unknown = await post(`/api/tasks/${asking.taskId}/answers`, 'alice', { answers: [{ question: 'Colour?', answer: 'Blue' }] });
      const notAwaited = await post(`/api/tasks/${deciding.taskId}/answers`, 'alice', { answers: [{ question: 'Q', answer: 'A' }] });
      expect(byApprover.statusCode).toBe(403);
      expect(unknown.json()).toEqual({ error: 'invalid_request', issues: [{ field: 'answers.0.question', message: 'is not one of the pending questions' }] });
      expect([notAwaited.statusCode, notAwaited.json()]).toEqual([409, { error: 'conflict', message: 'task is PRD_VALIDATION, not CLARIFICATION_NEEDED' }]);
      expect(await outboxFor(db, asking.taskId)).toEqual([]);
    });
  });

  describe('deciding on a PRD', () => {
    it('sends approve-prd for the current PRD version; a second decision is a conflict', async () => {
      const snapshot = TaskStory.created().startValidation().submitPrd(2).snapshot();
      await deliverSnapshot(h, snapshot);
      await deliverPrd(h, snapshot.taskId, 2);
      const approved = await post(`/api/tasks/${snapshot.taskId}/approve`, 'bob');
      const rejected = await post(`/api/tasks/${snapshot.taskId}/reject`, 'bob', { feedback: 'Too vague' });
      expect(approved.statusCode).toBe(202);
      expect(rejected.statusCode).toBe(409);
      expect(await outboxFor(db, snapshot.taskId)).toEqual([
        expect.objectContaining({
          type: 'task-management.approve-prd.v1',
          messageId: deterministicId('human-action', snapshot.taskId, snapshot.version, 'approve'),
          payload: { taskId: snapshot.taskId, userId: 'bob', prdVersion: 2 },
        }),
      ]);
    });

    it('sends reject-prd with the feedback, which is required', async () => {
      const snapshot = TaskStory.created().startValidation().submitPrd(1).snapshot();
      await deliverSnapshot(h, snapshot);
      await deliverPrd(h, snapshot.taskId, 1);
      const noFeedback = await post(`/api/tasks/${snapshot.taskId}/reject`, 'bob', { prdVersion: 1 });
      const rejected = await post(`/api/tasks/${snapshot.taskId}/reject`, 'bob', { feedback: 'Add error cases', prdVersion: 1 });
      expect((noFeedback.json() as Invalid).issues).toEqual([expect.objectContaining({ field: 'feedback' })]);
      expect(rejected.statusCode).toBe(202);
      expect((await outboxFor(db, snapshot.taskId)).map((m) => m.payload)).toEqual([
        { taskId: snapshot.taskId, userId: 'bob', prdVersion: 1, feedback: 'Add error cases' },
      ]);
    });

    it('refuses a decision on a PRD version whose document has not arrived (409), and accepts it once it has', async () => {
      const snapshot = TaskStory.created().startValidation().submitPrd(1).snapshot();
      await deliverSnapshot(h, snapshot);
      const early = [
        await post(`/api/tasks/${snapshot.taskId}/approve`, 'bob'),
        await post(`/api/tasks/${snapshot.taskId}/approve`, 'bob', { prdVersion: 1 }),
        await post(`/api/tasks/${snapshot.taskId}/reject`, 'bob', { feedback: 'Too vague', prdVersion: 1 }),
      ];
      const read = (await get(`/api/tasks/${snapshot.taskId}`, 'bob')).json() as Details;
      expect([read.task.prdVersion, read.prdVersions, read.prd]).toEqual([1, [], null]);
      for (const refused of early) {
        expect(refused.statusCode).toBe(409);
        expect((refused.json() as Conflict).message).toContain('the PRD is still on its way');
      }
      expect(await outboxFor(db, snapshot.taskId)).toEqual([]);

      await deliverPrd(h, snapshot.taskId, 1);
      const approved = await post(`/api/tasks/${snapshot.taskId}/approve`, 'bob', { prdVersion: 1 });

      expect(approved.statusCode).toBe(202);
      expect((await outboxFor(db, snapshot.taskId)).map((m) => [m.type, m.payload])).toEqual([
        ['task-management.approve-prd.v1', { taskId: snapshot.taskId, userId: 'bob', prdVersion: 1 }],
      ]);
    });

    it('refuses a decision by the requester, on another PRD version, or when no PRD awaits one', async () => {
      const deciding = TaskStory.created().startValidation().submitPrd(1).snapshot();
      const asking = TaskStory.created().startValidation().askQuestions().snapshot();
      await deliverSnapshot(h, deciding);
      await deliverPrd(h, deciding.taskId, 1);
      await deliverSnapshot(h, asking);
      expect((await post(`/api/tasks/${deciding.taskId}/approve`, 'alice')).statusCode).toBe(403);
      expect((await post(`/api/tasks/${deciding.taskId}/approve`, 'bob', { prdVersion: 7 })).statusCode).toBe(409);
      const notReady = await post(`/api/tasks/${asking.taskId}/reject`, 'bob', { feedback: 'No' });
      expect([notReady.statusCode, (notReady.json() as Conflict).message]).toEqual([409, 'task is CLARIFICATION_NEEDED, not PRD_VALIDATION']);
      expect(await outboxFor(db, deciding.taskId)).toEqual([]);
    });
  });

  describe('the diff between two PRD versions', () => {
    let taskId: string;
    beforeAll(async () => {
      const revised = TaskStory.created().startValidation().submitPrd(1).reject(REVISION_FEEDBACK).submitPrd(2);
      taskId = revised.taskId;
      await deliverSnapshot(h, revised.snapshot());
      const drafted = (prdVersion: number, prd: ReturnType<typeof aPrdDocument>) =>
        createEnvelope(message(PrdDrafted, taskId, { taskId, prdVersion, basedOnTaskVersion: prdVersion * 2, prd, draftedAt: '2026-01-05T09:30:00.000Z' }));
      await h.recordPrd.handle(drafted(1, aPrdDocument()));
      await h.recordPrd.handle(drafted(2, aRevisedPrdDocument()));
    });
    const diff = (query: string, user: Parameters<typeof auth>[0] = 'bob') => get(`/api/tasks/${taskId}/prd/diff${query}`, user);

    it('answers requirement by requirement with a word diff, the other sections that changed and the newer change log', async () => {
      const response = await diff('?from=1&to=2', 'alice');
      expect(response.statusCode).toBe(200);
      const body = prdDiffView.parse(response.json());
      expect(body).toEqual({
        from: 1,
        to: 2,
        requirements: [
          {
            id: 'FR-1',
            status: 'changed',
            description: {
              from: 'Offer a dark theme',
              to: 'Offer a dark theme and a high-contrast theme',
              words: [
                { kind: 'same', text: 'Offer a dark theme ' },
                { kind: 'added', text: 'and a high-contrast theme' },
              ],
            },
            priority: { from: 'P0', to: 'P1' },
          },
          { id: 'FR-2', status: 'added', description: 'Remember the chosen theme per user', priority: 'P1' },
        ],
        sections: [{ section: 'goals', added: ['Operators with low vision can read the dashboard'], removed: [] }],
        changeLog: aRevisedPrdDocument().changeLog,
      });
    });

    it('refuses a missing or malformed version, or from not below to, naming the field', async () => {
      const issues = async (query: string) => {
        const response = await diff(query);
        expect(response.statusCode).toBe(400);
        return (response.json() as Invalid).issues;
      };
      expect(await issues('?to=2')).toEqual([{ field: 'from', message: 'is required' }]);
      expect(await issues('')).toEqual([
        { field: 'from', message: 'is required' },
        { field: 'to', message: 'is required' },
      ]);
      expect(await issues('?from=one&to=2')).toEqual([{ field: 'from', message: 'must be a positive integer' }]);
      expect(await issues('?from=0&to=2')).toEqual([{ field: 'from', message: 'must be a positive integer' }]);
      expect(await issues('?from=1&to=2.5')).toEqual([{ field: 'to', message: 'must be a positive integer' }]);
      expect(await issues('?from=1&from=2&to=3')).toEqual([{ field: 'from', message: 'must be a positive integer' }]);
      expect(await issues('?from=2&to=2')).toEqual([{ field: 'from', message: 'must be lower than to' }]);
      expect(await issues('?from=2&to=1')).toEqual([{ field: 'from', message: 'must be lower than to' }]);
    });

    it('answers 404 naming the unknown task or PRD version, 403 to someone not on the task, 401 without a token', async () => {
      const unknownTask = await get('/api/tasks/no-such-task/prd/diff?from=1&to=2', 'bob');
      expect([unknownTask.statusCode, unknownTask.json()]).toEqual([404, { error: 'not_found', message: 'task no-such-task not found' }]);
      const unknownVersion = await diff('?from=1&to=3');
      expect([unknownVersion.statusCode, unknownVersion.json()]).toEqual([404, { error: 'not_found', message: `PRD version 3 of task ${taskId} not found` }]);
      const unknownOlder = await diff('?from=4&to=5');
      expect(unknownOlder.json()).toEqual({ error: 'not_found', message: `PRD version 4 of task ${taskId} not found` });
      expect((await diff('?from=1&to=2', 'carol')).statusCode).toBe(403);
      expect((await h.http({ method: 'GET', url: `/api/tasks/${taskId}/prd/diff?from=1&to=2` })).statusCode).toBe(401);
    });
  });

  describe('cancelling', () => {
    it('sends cancel-task for the requester, and refuses others and finished tasks', async () => {
      const open = TaskStory.created().snapshot();
      const done = TaskStory.created().startValidation().submitPrd(1).approve().snapshot();
      await deliverSnapshot(h, open);
      await deliverSnapshot(h, done);
      expect((await post(`/api/tasks/${open.taskId}/cancel`, 'bob')).statusCode).toBe(403);
      expect((await post(`/api/tasks/${open.taskId}/cancel`, 'alice', { reason: 'Not needed' })).statusCode).toBe(202);
      expect((await post(`/api/tasks/${done.taskId}/cancel`, 'alice')).statusCode).toBe(409);
      expect((await outboxFor(db, open.taskId)).map((m) => [m.type, m.payload])).toEqual([
        ['task-management.cancel-task.v1', { taskId: open.taskId, userId: 'alice', reason: 'Not needed' }],
      ]);
    });
  });
});
