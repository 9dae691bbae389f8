import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { BerthError } from '../errors/index.js';

/** Flags that make no sense in the file. */
const NOT_IN_FILE = new Set(['config-file', 'version', 'help']);

function keyOf(option: Option): string | undefined {
  const key = option.long?.replace(/^--/, '');
  return key === undefined || NOT_IN_FILE.has(key) ? undefined : key;
}

function invalid(path: string, text: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', `${path}: ${text}`, { object: path });
}

/** A JSON value as the flag would have received it: text, a list of texts for repeatable flags, true/false for switches. */
function flagValue(option: Option, value: unknown, where: { readonly path: string; readonly key: string }): string | string[] | boolean {
  const { path, key } = where;
  if (!option.required && !option.optional) {
    if (typeof value !== 'boolean') throw invalid(path, `"${key}" must be true or false`);
    return value;
  }
  const text = (entry: unknown): string => {
    if (typeof entry === 'string') return entry;
    if (typeof entry === 'number' && Number.isFinite(entry)) return String(entry);
    throw invalid(path, `"${key}" must be ${Array.isArray(option.defaultValue) ? 'a list of strings' : 'a string or a number'}`);
  };
  if (Array.isArray(option.defaultValue)) {
    if (!Array.isArray(value)) throw invalid(path, `"${key}" must be a list (it can be given more than once as a flag)`);
    return value.map(text);
  }
  const single = text(value);
  if (option.argChoices !== undefined && !option.argChoices.includes(single)) throw invalid(path, `"${key}" must be one of ${option.argChoices.join(', ')}, not ${JSON.stringify(single)}`);
  return single;
}

/**
 * Reads berthd's config file (`/etc/berth/daemon.json` unless --config-file) into `command`:
 * a JSON object whose keys are the long flag names ("log-level": "debug", "host": ["tcp://..."],
 * "metrics-allow-remote": true). A flag given on the command line wins over the file. A missing
 * file is fine unless it was named explicitly; malformed JSON, an unknown key or a wrong type
 * is an INVALID_ARGUMENT naming the file and the key.
 */
export function applyConfigFile(command: Command, options: { readonly path: string; readonly explicit: boolean }): void {
  let text: string;
  try {
    text = readFileSync(options.path, 'utf8');
  } catch (error) {
    if (!options.explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalid(options.path, `cannot read the config file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(options.path, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(options.path, 'expected a JSON object of flag names and values');
  const byKey = new Map(command.options.flatMap((option) => {
    const key = keyOf(option);
    return key === undefined ? [] : [[key, option] as const];
  }));
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const option = byKey.get(key);
    if (option === undefined) throw invalid(options.path, `unknown key "${key}" (known: ${[...byKey.keys()].sort().join(', ')})`);
    const attribute = option.attributeName();
    if (command.getOptionValueSource(attribute) === 'cli') continue;
    command.setOptionValueWithSource(attribute, flagValue(option, value, { path: options.path, key }), 'config');
  }
}
