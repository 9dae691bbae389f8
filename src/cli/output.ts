import { CliError } from './client.js';

/** Where the CLI writes; tests capture it. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_OUTPUT: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Aligned columns like docker's tables (three spaces between columns). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('   ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** "k=v" pairs into an object; CliError-style message names the flag. */
export function keyValues(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new CliError(`${flag} ${JSON.stringify(value)}: expected key=value`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
