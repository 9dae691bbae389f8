/** Aligned columns like docker's tables (three spaces between columns, no trailing blanks). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('   ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** The 12-character short id docker shows. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
