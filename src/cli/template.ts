import { CliError } from './client.js';

/** A piece of a parsed template: literal text, a field path (`.A.B`, `.` for the whole row), or `json` of one. */
type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly path: readonly string[]; readonly json: boolean };

const ACTION = /\{\{(.*?)\}\}/gs;
const FIELD = /^\.((?:[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?$/;

function unsupported(action: string): CliError {
  return new CliError(`unsupported template action {{${action}}}: berth's --format understands {{.Field}}, {{.Field.Sub}}, {{json .}} and {{json .Field}} only`);
}

function parseAction(action: string): Piece {
  const words = action.trim().split(/\s+/);
  const json = words[0] === 'json' && words.length === 2;
  const field = json ? words[1] : words.length === 1 ? words[0] : undefined;
  const match = field === undefined ? null : FIELD.exec(field);
  if (match === null) throw unsupported(action);
  return { kind: 'field', path: match[1] === undefined ? [] : match[1].split('.'), json };
}

/** Parses a Go-template-like `--format` once (`\t` and `\n` become tab and newline, as docker does); throws on anything else. */
function parseTemplate(template: string): Piece[] {
  if (/^table\s/.test(template)) throw new CliError('--format "table TEMPLATE" is not supported: use a plain template, or --format table');
  const source = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of source.matchAll(ACTION)) {
    if (match.index > at) pieces.push({ kind: 'text', text: source.slice(at, match.index) });
    pieces.push(parseAction(match[1] ?? ''));
    at = match.index + match[0].length;
  }
  const rest = source.slice(at);
  if (rest.includes('{{') || rest.includes('}}')) throw new CliError(`unbalanced braces in --format ${JSON.stringify(template)}`);
  if (rest !== '') pieces.push({ kind: 'text', text: rest });
  return pieces;
}

function lookup(row: unknown, path: readonly string[]): unknown {
  let value = row;
  for (const [index, key] of path.entries()) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      throw new CliError(`template: can't evaluate field ${path.slice(0, index + 1).join('.')}`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '<no value>';
  return JSON.stringify(value);
}

/** True when a `--format` value is a template rather than a format name. */
export function isTemplate(format: string): boolean {
  return format.includes('{{');
}

/**
 * A tiny evaluator for Docker's `--format` templates: `{{.Name}}`, `{{.Labels.tier}}`,
 * `{{json .}}`, `{{json .Field}}`; one line per row. Go's other actions (if, range, table,
 * functions) are refused with a clear error rather than guessed at.
 */
export function renderTemplate(template: string, rows: readonly unknown[]): string {
  const pieces = parseTemplate(template);
  return rows.map((row) => `${pieces.map((piece) => {
    if (piece.kind === 'text') return piece.text;
    const value = lookup(row, piece.path);
    return piece.json ? JSON.stringify(value) : show(value);
  }).join('')}\n`).join('');
}
