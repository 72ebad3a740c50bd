/**
 * Text from the server (titles, descriptions, answers, actors) was typed by people: control
 * characters in it must not reach the terminal, where escape sequences could rewrite what is shown.
 * Newlines and tabs stay where a block of text is printed (`multiline`).
 */
export function printable(text: string, multiline = false): string {
  // eslint-disable-next-line no-control-regex
  return multiline ? text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]+/g, ' ') : text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/** Indents every line of a block, so it reads as belonging to the heading above it. */
export function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line.trim() ? `${by}${line}` : ''))
    .join('\n');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** ISO instants to the second: milliseconds only widen a table. */
export function instant(iso: string | null): string {
  return iso === null ? '-' : printable(iso).replace(/\.\d+Z$/, 'Z');
}
