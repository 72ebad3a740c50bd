import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../src/app/config';
import { Application, createContractRegistry } from '../../src/app/container';
import { TERMINAL_STATUSES } from '../../src/contexts/task-management/contracts';
import { MOVES } from '../../src/contexts/task-management/domain/task-status';
import { silentLogger } from '../../src/shared/logging/logger';
import { TEST_LINK_SECRET, TEST_USERS } from '../support/app';
import { openTestDatabase } from '../support/database';
import { messageMapRows, type MessageMapRow, scanPublishers, stateDiagramEdges } from './message-map.scan';
import { RecordingQueue } from '../support/recording-queue';

/**
 * docs/architecture.md describes the code; these checks keep its message map and its state
 * diagram from drifting. Each failure names the row (or line) and says what the code has instead.
 */
const ROOT = join(__dirname, '..', '..');
const DOC = 'docs/architecture.md';
const markdown = readFileSync(join(ROOT, DOC), 'utf8');
const registry = createContractRegistry();

const list = (values: Iterable<string>): string => `[${[...values].sort().join(', ')}]`;
const at = (row: MessageMapRow): string => `${DOC}:${row.line} row \`${row.type}\``;

/** Compares one set-valued column with the code, both ways; undefined when they agree. */
function mismatch(row: MessageMapRow, column: string, table: readonly string[], code: ReadonlySet<string> | undefined): string | undefined {
  const inCode = new Set(code ?? []);
  const missing = [...inCode].filter((v) => !table.includes(v));
  const extra = table.filter((v) => !inCode.has(v));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const fix = [missing.length > 0 ? `add ${list(missing)}` : '', extra.length > 0 ? `remove ${list(extra)}` : ''].filter(Boolean).join(', ');
  return `${at(row)}: ${column} ${list(table)} in the table, the code says ${list(inCode)} (${fix})`;
}

function rowsByType(): Map<string, MessageMapRow> {
  return new Map(messageMapRows(markdown).map((row) => [row.type, row]));
}

/** Records what each context subscribes; nothing is ever delivered. */
describe(`${DOC}: the message map`, () => {
  it('has one row per message type of the contract registry, with the kind the registry gives it', () => {
    const rows = messageMapRows(markdown);
    const problems: string[] = [];
    const seen = new Map<string, MessageMapRow>();
    for (const row of rows) {
      const earlier = seen.get(row.type);
      if (earlier) problems.push(`${at(row)}: the type has a row already, at line ${earlier.line}`);
      seen.set(row.type, row);
      const kind = registry.kindOf(row.type);
      if (kind === undefined) problems.push(`${at(row)}: createContractRegistry() has no contract of this type`);
      else if (row.kind !== kind) problems.push(`${at(row)}: kind "${row.kind}" in the table, the registry says "${kind}"`);
    }
    for (const type of registry.types()) {
      if (!seen.has(type)) problems.push(`the registry has \`${type}\` (${registry.kindOf(type)}), but the message map has no row for it`);
    }
    expect(problems).toEqual([]);
  });

  describe('consumers, as the contexts subscribe them in the application built on the in-memory defaults', () => {
    let app: Application | undefined;
    const byContext = new Map<string, RecordingQueue>();

    beforeAll(async () => {
      const config = configSchema.parse({ LOG_LEVEL: 'silent', LINK_SECRET: TEST_LINK_SECRET });
      app = await Application.create({ config, users: TEST_USERS, logger: silentLogger(), database: await openTestDatabase() });
      for (const context of app.contexts) {
        const queue = new RecordingQueue();
        await context.subscribe(queue);
        byContext.set(context.name, queue);
      }
    }, 90_000); // PGlite and migrations: seconds alone, much longer on a busy 2-core machine
    afterAll(() => app?.stop());

    it('runs all four contexts', () => {
      expect([...byContext.keys()].sort()).toEqual(['human-interaction', 'orchestration', 'product-definition', 'task-management']);
    });

    it('names, for each type, every consumer subscribed to it and no other', () => {
      const consumers = new Map<string, Set<string>>();
      const problems: string[] = [];
      for (const [context, queue] of byContext) {
        for (const { consumer, kind, types } of queue.subscriptions) {
          if (!consumer.startsWith(`${context}.`)) problems.push(`consumer ${consumer}, subscribed by ${context}, is not named <context>.<purpose>`);
          for (const type of types) {
            if (registry.kindOf(type) !== kind)
              problems.push(`consumer ${consumer} subscribes to \`${type}\` as a ${kind}; the registry says ${registry.kindOf(type) ?? 'nothing'}`);
            consumers.set(type, (consumers.get(type) ?? new Set()).add(consumer));
          }
        }
      }
      const rows = rowsByType();
      for (const row of rows.values()) {
        const wrong = mismatch(row, 'consumers', row.consumers, consumers.get(row.type));
        if (wrong) problems.push(wrong);
      }
      for (const [type, names] of consumers) {
        if (!rows.has(type)) problems.push(`\`${type}\` is consumed by ${list(names)}, but the message map has no row for it`);
      }
      expect(problems).toEqual([]);
    });
  });

  it('names, for each type, every context whose code builds such a message and no other', () => {
    const { publishers, unresolved } = scanPublishers(ROOT);
    const problems = unresolved.map(
      (call) => `${call}: cannot tell which contract this message is of; the scan in test/docs/message-map.scan.ts needs to learn this form`,
    );
    const rows = rowsByType();
    for (const row of rows.values()) {
      const wrong = mismatch(row, 'publishers', row.publishers, publishers.get(row.type));
      if (wrong) problems.push(wrong);
    }
    for (const [type, contexts] of publishers) {
      if (!rows.has(type)) problems.push(`\`${type}\` is built by ${list(contexts)}, but the message map has no row for it`);
    }
    expect(problems).toEqual([]);
  });
});

describe(`${DOC}: the task state diagram`, () => {
  it('has exactly the moves of MOVES (domain/task-status.ts), each edge labelled with its move, from NEW to the terminal statuses', () => {
    const edges = stateDiagramEdges(markdown);
    const key = (from: string, to: string, move: string | undefined) => `${from} --> ${to} : ${move ?? '(no label)'}`;
    const inCode = new Set(Object.entries(MOVES).flatMap(([move, { from, to }]) => from.map((f) => key(f, to, move))));
    inCode.add(key('[*]', 'NEW', 'create'));
    for (const terminal of TERMINAL_STATUSES) inCode.add(key(terminal, '[*]', undefined));
    const inDoc = new Set(edges.map((e) => key(e.from, e.to, e.to === '[*]' ? undefined : e.move)));
    const problems = [
      ...edges
        .filter((e) => !inCode.has(key(e.from, e.to, e.to === '[*]' ? undefined : e.move)))
        .map((e) => `${DOC}:${e.line}: \`${key(e.from, e.to, e.move)}\` is not a move in MOVES`),
      ...[...inCode].filter((k) => !inDoc.has(k)).map((k) => `the diagram lacks \`${k}\`, which MOVES has`),
    ];
    expect(problems).toEqual([]);
  });
});
