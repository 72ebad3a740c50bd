import type { Application } from '../../src/app/container';
import { humanInteractionContracts, SendNotification } from '../../src/contexts/human-interaction/contracts';
import { orchestrationContracts } from '../../src/contexts/orchestration/contracts';
import { productDefinitionContracts } from '../../src/contexts/product-definition/contracts';
import { CreateTask, taskManagementContracts } from '../../src/contexts/task-management/contracts';
import { NUL_PROBLEM, SURROGATE_PROBLEM } from '../../src/shared/kernel/text';
import { message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope, envelopeSchema } from '../../src/shared/messaging/envelope';
import { InvalidMessageError } from '../../src/shared/messaging/errors';
import { InMemoryMessageQueue } from '../../src/shared/messaging/in-memory/in-memory-message-queue';
import { bearer, startTestApp, transportOf } from '../support/app';
import { eventually } from '../support/eventually';
import { textLeaves } from '../support/text-fields';

/**
 * A message is checked against its contract when published and again when consumed, so text a
 * database would refuse (NUL, a lone surrogate) is refused there, naming the field: a message from
 * a producer that skipped the check goes to the dead-letter queue with that reason instead of
 * failing, attempt after attempt, in the consumer's database.
 */

const CONTRACTS = [...taskManagementContracts, ...humanInteractionContracts, ...orchestrationContracts, ...productDefinitionContracts];
const BAD = [
  ['NUL', 'a\u0000b'],
  ['a lone surrogate', 'a\udc00b'],
] as const;

describe.each(BAD)('every text field of every message contract and of the envelope refuses %s', (_name, text) => {
  const cases = [
    ...CONTRACTS.flatMap((contract) =>
      textLeaves(contract.schema, text).map((leaf) => [`${contract.type} payload.${leaf.at.join('.')}`, contract.schema, leaf] as const),
    ),
    ...textLeaves(envelopeSchema, text).map((leaf) => [`envelope ${leaf.at.join('.')}`, envelopeSchema, leaf] as const),
  ];

  it('has the text fields of every contract to try', () => {
    expect(cases.map(([label]) => label)).toEqual(
      expect.arrayContaining([
        'task-management.create-task.v1 payload.title',
        'task-management.reject-prd.v1 payload.feedback',
        'task-management.task-created.v1 payload.history.0.reason',
        'human-interaction.send-notification.v1 payload.questions.0',
        'orchestration.redrive-task.v1 payload.requestedBy',
        'product-definition.prd-drafted.v1 payload.prd.goals.0.sources.0.quote',
        'product-definition.set-agent-pool.v1 payload.reason',
        'envelope correlationId',
      ]),
    );
  });

  it.each(cases)('%s', (_label, schema, leaf) => {
    const issues = schema.safeParse(leaf.input).error?.issues ?? [];
    // A field with a format (an id, a date, FR-n) may refuse it with its own words first.
    expect(issues.filter((issue) => issue.path.join('.') === leaf.at.join('.'))).toEqual([expect.objectContaining({ path: leaf.at })]);
  });
});

describe('a message with NUL or a lone surrogate in a text field', () => {
  let app: Application;

  beforeAll(async () => {
    app = await startTestApp();
  }, 90_000);
  afterAll(() => app?.stop());

  interface DeadLetter {
    messageType: string;
    errorClass: string;
    errorMessage: string;
    attempts: number;
    message: { messageId: string };
  }
  const deadLetters = async (): Promise<DeadLetter[]> =>
    (await app.http.inject({ method: 'GET', url: '/admin/dead-letters', headers: bearer('root') })).json<{ deadLetters: DeadLetter[] }>().deadLetters;

  it('is refused when published, naming the field', async () => {
    const queue = transportOf(app, InMemoryMessageQueue);
    const bad = createEnvelope(
      message(CreateTask, 'task-nul-1', { taskId: 'task-nul-1', title: 'a\u0000b', description: 'Export invoices', requesterId: 'alice', approverId: 'bob' }),
    );
    await expect(queue.publishCommand(bad)).rejects.toThrow(InvalidMessageError);
    await expect(queue.publishCommand(bad)).rejects.toThrow(`payload.title: ${NUL_PROBLEM}`);
  });

  it.each([
    [
      'payload.title',
      NUL_PROBLEM,
      createEnvelope(
        message(CreateTask, 'task-nul-2', {
          taskId: 'task-nul-2',
          title: 'Export\u0000',
          description: 'Export invoices',
          requesterId: 'alice',
          approverId: 'bob',
        }),
      ),
    ],
    [
      'payload.subject',
      SURROGATE_PROBLEM,
      createEnvelope(
        message(SendNotification, 'task-nul-3', {
          notificationId: 'notification-nul-3',
          taskId: 'task-nul-3',
          taskVersion: 1,
          recipientId: 'alice',
          kind: 'task-approved',
          subject: 'Approved \ud800',
        }),
      ),
    ],
    [
      'envelope.correlationId',
      NUL_PROBLEM,
      {
        ...createEnvelope(
          message(CreateTask, 'task-nul-4', { taskId: 'task-nul-4', title: 'Export', description: 'Export invoices', requesterId: 'alice', approverId: 'bob' }),
        ),
        correlationId: 'request\u00001',
      },
    ],
  ])('is dead-lettered on delivery with a reason naming %s, and nothing is stored', async (field, problem, envelope) => {
    await transportOf(app, InMemoryMessageQueue).publishUnchecked('command', envelope);
    const parked = await eventually(async () => {
      const found = (await deadLetters()).find((d) => d.message.messageId === envelope.messageId);
      expect(found).toBeDefined();
      return found as DeadLetter;
    });
    expect(parked).toEqual(expect.objectContaining({ messageType: envelope.type, errorClass: 'InvalidMessageError', attempts: 1 }));
    expect(parked.errorMessage).toContain(`${field}: ${problem}`);
    // Never handled: no task, no notification.
    expect((await app.http.inject({ method: 'GET', url: `/api/tasks/${envelope.key}`, headers: bearer('root') })).statusCode).toBe(404);
    const inbox = (await app.http.inject({ method: 'GET', url: '/api/notifications', headers: bearer('alice') })).json<{
      notifications: Array<{ taskId: string }>;
    }>();
    expect(inbox.notifications.filter((n) => n.taskId === envelope.key)).toEqual([]);
  });
});
