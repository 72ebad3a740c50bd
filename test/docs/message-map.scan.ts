import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/** One row of the document's message map, as written. */
export interface MessageMapRow {
  readonly line: number;
  readonly type: string;
  readonly kind: string;
  /** Context names in backticks; anything else in the cell is commentary. */
  readonly publishers: readonly string[];
  /** Consumer names in backticks (`<context>.<purpose>`). */
  readonly consumers: readonly string[];
}

const MAP_HEADER = ['type', 'kind', 'published by', 'consumed by'];
const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').trim());

/** The first table after the `Message map` heading; throws, saying what it expected, when there is none. */
export function messageMapRows(markdown: string): MessageMapRow[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => /^#{2,4}\s+Message map\s*$/.test(l));
  if (heading < 0) throw new Error('no "## Message map" heading');
  const start = lines.findIndex((l, i) => i > heading && l.trimStart().startsWith('|'));
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const header = start < 0 ? [] : cells(lines[start] ?? '').map((c) => c.toLowerCase());
  if (header.join('|') !== MAP_HEADER.join('|'))
    throw new Error(`the message map's header must be | ${MAP_HEADER.join(' | ')} |, found | ${header.join(' | ')} |`);
  const rows: MessageMapRow[] = [];
  for (let i = start + 2; i < lines.length && (lines[i] ?? '').trimStart().startsWith('|'); i++) {
    const [type = '', kind = '', publishers = '', consumers = ''] = cells(lines[i] ?? '');
    const types = ticked(type);
    rows.push({
      line: i + 1,
      type: types.length === 1 ? (types[0] ?? '') : type,
      kind: kind.replace(/`/g, ''),
      publishers: ticked(publishers),
      consumers: ticked(consumers),
    });
  }
  return rows;
}

export interface StateEdge {
  readonly line: number;
  readonly from: string;
  readonly to: string;
  /** The first word of the label: the move's name in MOVES. */
  readonly move: string | undefined;
}

/** The edges of the (first) Mermaid `stateDiagram-v2` block. */
export function stateDiagramEdges(markdown: string): StateEdge[] {
  const lines = markdown.split('\n');
  const open = lines.findIndex((l, i) => l.trim() === '```mermaid' && lines[i + 1]?.trim() === 'stateDiagram-v2');
  if (open < 0) throw new Error('no ```mermaid block starting with stateDiagram-v2');
  const edges: StateEdge[] = [];
  for (let i = open + 2; i < lines.length && lines[i]?.trim() !== '```'; i++) {
    const m = /^\s*(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::\s*(\S+).*)?$/.exec(lines[i] ?? '');
    if (m) edges.push({ line: i + 1, from: m[1] ?? '', to: m[2] ?? '', move: m[3] });
  }
  return edges;
}

export interface PublisherScan {
  /** Message type → the contexts whose code builds it with `message(contract, …)`. */
  readonly publishers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Calls whose contract the scan cannot name (`file:line: text`): the map cannot be checked there. */
  readonly unresolved: readonly string[];
}

const BUILDER_MODULE = join('src', 'shared', 'messaging', 'contract-registry.ts');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

function moduleFile(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** `export const X = defineContract('<type>', …)` in one file: X → type. */
function definedContracts(source: ts.SourceFile): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isCallExpression(node.initializer)) {
      const {
        expression,
        arguments: [type],
      } = node.initializer;
      if (ts.isIdentifier(expression) && expression.text === 'defineContract' && type && ts.isStringLiteral(type)) found.set(node.name.text, type.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Reads every context's sources (no type checking) and finds where each builds a message of a
 * contract: calls of `message` from the contract registry module (under any import alias), whose
 * first argument is a contract constant, imported or defined in the file, or a local constant
 * choosing between such constants (`const contract = created ? TaskCreated : TaskStatusChanged`).
 */
export function scanPublishers(root: string): PublisherScan {
  const contextsDir = join(root, 'src', 'contexts');
  const sources = new Map(tsFiles(contextsDir).map((file) => [file, ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)]));
  const contracts = new Map([...sources].map(([file, source]) => [file, definedContracts(source)]));
  const publishers = new Map<string, Set<string>>();
  const unresolved: string[] = [];

  for (const [file, source] of sources) {
    const context = relative(contextsDir, file).split(sep)[0] ?? '';
    const imports = new Map<string, { file: string | undefined; name: string }>();
    const locals = new Map<string, ts.Expression[]>();
    const collect = (node: ts.Node): void => {
      if (
        ts.isImportDeclaration(node) &&
        ts.isStringLiteral(node.moduleSpecifier) &&
        node.importClause?.namedBindings &&
        ts.isNamedImports(node.importClause.namedBindings)
      ) {
        const target = moduleFile(file, node.moduleSpecifier.text);
        for (const element of node.importClause.namedBindings.elements)
          imports.set(element.name.text, { file: target, name: (element.propertyName ?? element.name).text });
      }
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer)
        locals.set(node.name.text, [...(locals.get(node.name.text) ?? []), node.initializer]);
      ts.forEachChild(node, collect);
    };
    collect(source);
    const builders = new Set([...imports].filter(([, i]) => i.name === 'message' && i.file === join(root, BUILDER_MODULE)).map(([local]) => local));
    if (builders.size === 0) continue;

    const contractTypes = (expression: ts.Expression, depth = 0): string[] | undefined => {
      if (ts.isParenthesizedExpression(expression)) return contractTypes(expression.expression, depth);
      if (ts.isConditionalExpression(expression)) {
        const [a, b] = [contractTypes(expression.whenTrue, depth), contractTypes(expression.whenFalse, depth)];
        return a && b ? [...a, ...b] : undefined;
      }
      if (!ts.isIdentifier(expression)) return undefined;
      const own = contracts.get(file)?.get(expression.text);
      if (own) return [own];
      const imported = imports.get(expression.text);
      if (imported) {
        const type = imported.file ? contracts.get(imported.file)?.get(imported.name) : undefined;
        return type ? [type] : undefined;
      }
      const initializers = locals.get(expression.text) ?? [];
      const [only] = initializers;
      return initializers.length === 1 && only && depth < 5 ? contractTypes(only, depth + 1) : undefined;
    };

    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && builders.has(node.expression.text)) {
        const [first] = node.arguments;
        const types = first ? contractTypes(first) : undefined;
        const where = `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        if (!types) unresolved.push(`${where}: ${node.getText().split('\n')[0]}`);
        for (const type of types ?? []) publishers.set(type, (publishers.get(type) ?? new Set()).add(context));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { publishers, unresolved };
}
