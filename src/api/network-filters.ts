import type { NetworkView } from '../controller/index.js';
import { BerthError } from '../errors/index.js';
import { matchesLabels } from './filters.js';
import type { Filters } from './filters.js';

/** Filter keys `GET /networks` accepts. */
export const NETWORK_LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];
/** Filter keys `POST /networks/prune` accepts. */
export const NETWORK_PRUNE_FILTERS = ['until', 'label', 'label!'];

function invalid(key: string, value: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', `invalid filter '${key}=${value}'`, { object: key });
}

/** Docker matches id and name as unanchored regular expressions (plain text: substring). */
function matchesPattern(value: string, patterns: readonly string[] | undefined): boolean {
  return patterns === undefined || patterns.some((pattern) => {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return value.includes(pattern);
    }
  });
}

function danglingWanted(values: readonly string[] | undefined): boolean | undefined {
  if (values === undefined) return undefined;
  const [value, extra] = values;
  if (extra !== undefined || value === undefined) throw invalid('dangling', values.join(','));
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid('dangling', value);
}

/** The `GET /networks` filters; INVALID_ARGUMENT (400) for a bad `type` or `dangling` value. */
export function matchesNetworkList(view: NetworkView, filters: Filters): boolean {
  const { network } = view;
  const types = filters.get('type');
  const bad = types?.find((type) => type !== 'custom' && type !== 'builtin');
  if (bad !== undefined) throw invalid('type', bad);
  const dangling = danglingWanted(filters.get('dangling'));
  return matchesPattern(network.name, filters.get('name'))
    && matchesPattern(network.id, filters.get('id'))
    && (filters.get('driver')?.includes(network.driver) ?? true)
    && (filters.get('scope')?.includes(network.scope) ?? true)
    && (types?.includes(network.predefined ? 'builtin' : 'custom') ?? true)
    && matchesLabels(network.labels, filters.get('label'))
    && (dangling === undefined || dangling === (view.endpoints.length === 0 && !network.predefined));
}

/** `until`: unix seconds (fractions allowed), RFC 3339 or a Go-style duration ("24h", "90m") before now. */
function cutoff(until: string, now: number): number {
  if (/^\d+(\.\d+)?$/.test(until)) return Number(until) * 1000;
  const duration = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(until);
  if (duration !== null) return now - Number(duration[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[duration[2] as 'h' | 'm' | 's'];
  const parsed = Date.parse(until);
  if (Number.isNaN(parsed)) throw invalid('until', until);
  return parsed;
}

/** The `POST /networks/prune` filters as a predicate: true for networks the filters select for removal. */
export function prunedBy(filters: Filters, now = Date.now()): (view: NetworkView) => boolean {
  const untils = (filters.get('until') ?? []).map((until) => cutoff(until, now));
  const labels = filters.get('label');
  const notLabels = filters.get('label!') ?? [];
  return ({ network }) => untils.every((limit) => Date.parse(network.created) <= limit)
    && matchesLabels(network.labels, labels)
    // Docker keeps a network only when it has every `label!` label (MatchKVList).
    && (notLabels.length === 0 || !matchesLabels(network.labels, notLabels));
}
