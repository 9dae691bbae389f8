import type { BerthEvent } from './berth-event.js';

/** Filter keys `GET /events` accepts (a subset of Docker's; the others name objects berth does not have). */
export const EVENT_FILTER_KEYS = ['container', 'event', 'label', 'network', 'scope', 'type'] as const;

/** Parsed `filters`: key → wanted values (any one matches). */
export type EventFilters = ReadonlyMap<string, readonly string[]>;

/** Docker's `ExactMatch`: no values for the key match everything. */
function exact(filters: EventFilters, key: string, value: string): boolean {
  const wanted = filters.get(key);
  return wanted === undefined || wanted.length === 0 || wanted.includes(value);
}

/** Docker's `FuzzyMatch`: equal, or a prefix (short ids). */
function fuzzy(filters: EventFilters, key: string, value: string): boolean {
  const wanted = filters.get(key);
  return wanted === undefined || wanted.length === 0 || wanted.some((entry) => value === entry || value.startsWith(entry));
}

/** A `container`/`network` filter matches events of that type by actor id (prefix) or name. */
function matchesObject(filters: EventFilters, event: BerthEvent, key: 'container' | 'network'): boolean {
  if (!filters.has(key)) return true;
  return fuzzy(filters, key, event.actor.id) || fuzzy(filters, key, event.actor.attributes['name'] ?? '');
}

function matchesLabels(filters: EventFilters, attributes: Readonly<Record<string, string>>): boolean {
  return (filters.get('label') ?? []).every((entry) => {
    const at = entry.indexOf('=');
    return at === -1 ? entry in attributes : attributes[entry.slice(0, at)] === entry.slice(at + 1);
  });
}

/**
 * Whether `event` passes `filters`, as moby's daemon/events/filter.go decides: every key must
 * match; `container=x` matches only container events for x and `network=y` only network
 * events for y (so both together match nothing, as in Docker).
 */
export function matchesEventFilters(event: BerthEvent, filters: EventFilters): boolean {
  return exact(filters, 'event', event.action)
    && exact(filters, 'type', event.type)
    && exact(filters, 'scope', event.scope)
    && matchesObject(filters, event, 'container')
    && matchesObject(filters, event, 'network')
    && matchesLabels(filters, event.actor.attributes);
}
