import { BerthError } from '../errors/index.js';

/** Docker's `filters` query parameter: {"key":{"value":true}} or the legacy {"key":["value"]}. */
export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parses `filters`, refusing keys outside `allowed` (400 like Docker). */
export function parseFilters(text: string | null, allowed: readonly string[]): Filters {
  const out = new Map<string, string[]>();
  if (text === null || text === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BerthError('BAD_REQUEST', `invalid filters: ${text}`, { object: 'filters' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BerthError('BAD_REQUEST', 'invalid filters: expected an object', { object: 'filters' });
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!allowed.includes(key)) throw new BerthError('INVALID_ARGUMENT', `invalid filter '${key}'`, { object: key });
    const values = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.keys(value) : [];
    out.set(key, values.map(String));
  }
  return out;
}

/** `label` filters: "k" (present) or "k=v" (equal). */
export function matchesLabels(labels: Readonly<Record<string, string>>, wanted: readonly string[] | undefined): boolean {
  return (wanted ?? []).every((entry) => {
    const at = entry.indexOf('=');
    return at === -1 ? entry in labels : labels[entry.slice(0, at)] === entry.slice(at + 1);
  });
}
