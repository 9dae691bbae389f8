import { CliError } from './client.js';

/** "k=v" pairs into an object; the error names the flag. With `bare`, "k" alone means k="" (docker's --label). */
export function keyValues(values: readonly string[], flag: string, bare = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (bare && at === -1 && value !== '') {
      out[value] = '';
      continue;
    }
    if (at <= 0) throw new CliError(`invalid argument "${value}" for "${flag}" flag: expected key=value`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

/** commander reducer for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Checks a `--format` value against what the command can print. */
export function checkFormat<T extends string>(value: string, allowed: readonly T[]): T {
  const found = allowed.find((entry) => entry === value);
  if (found === undefined) throw new CliError(`unsupported --format ${JSON.stringify(value)}: use ${allowed.join(' or ')}`);
  return found;
}

/** Pretty JSON with a final newline, as docker prints it. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}
