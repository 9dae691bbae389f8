import { describe, expect, test } from 'vitest';
import { EventBus } from './event-bus.js';
import type { UnstampedEvent } from './berth-event.js';
import { matchesEventFilters } from './event-filter.js';
import { parseEventTime } from './event-time.js';

function event(id: string, action: UnstampedEvent['action'] = 'create'): UnstampedEvent {
  return { type: 'network', action, actor: { id, attributes: { name: `net-${id}`, type: 'bridge' } }, scope: 'local' };
}

describe('EventBus', () => {
  test('stamps events with strictly increasing times and replays a range', () => {
    let now = 1000n;
    const bus = new EventBus({ clock: () => now });
    const first = bus.publish(event('a'));
    const second = bus.publish(event('b'));
    now = 5000n;
    const third = bus.publish(event('c'));
    expect([first.timeNano, second.timeNano, third.timeNano]).toEqual([1000n, 1001n, 5000n]);
    expect(bus.history({ since: 1001n }).map((e) => e.actor.id)).toEqual(['b', 'c']);
    expect(bus.history({ until: 1001n }).map((e) => e.actor.id)).toEqual(['a', 'b']);
    expect(bus.history({ since: 1001n, until: 1001n }).map((e) => e.actor.id)).toEqual(['b']);
  });

  test('keeps only the newest `capacity` events, oldest first', () => {
    let now = 0n;
    const bus = new EventBus({ clock: () => (now += 10n), capacity: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) bus.publish(event(id));
    expect(bus.history({ since: 0n }).map((e) => e.actor.id)).toEqual(['c', 'd', 'e']);
  });

  test('subscribers get live events until they unsubscribe; a throwing one is dropped', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribe((e) => seen.push(e.actor.id));
    bus.subscribe(() => {
      throw new Error('broken listener');
    });
    bus.publish(event('a'));
    expect(bus.subscribers).toBe(1);
    unsubscribe();
    bus.publish(event('b'));
    expect(seen).toEqual(['a']);
  });
});

describe('matchesEventFilters (moby daemon/events/filter.go)', () => {
  const connect: UnstampedEvent = { type: 'network', action: 'connect', actor: { id: 'abcdef0123', attributes: { name: 'front', type: 'bridge', container: 'c0ffee' } }, scope: 'local' };
  const stamped = { ...connect, timeNano: 1n };
  const sandbox = { type: 'container' as const, action: 'create' as const, actor: { id: 'c0ffee99', attributes: { name: 'web', image: 'berth-sandbox', tier: 'db' } }, scope: 'local' as const, timeNano: 2n };
  const f = (entries: Record<string, string[]>): ReadonlyMap<string, readonly string[]> => new Map(Object.entries(entries));

  test('type, event and scope match exactly', () => {
    expect(matchesEventFilters(stamped, f({}))).toBe(true);
    expect(matchesEventFilters(stamped, f({ type: ['network'], event: ['connect', 'create'], scope: ['local'] }))).toBe(true);
    expect(matchesEventFilters(stamped, f({ type: ['container'] }))).toBe(false);
    expect(matchesEventFilters(stamped, f({ event: ['conn'] }))).toBe(false);
  });

  test('network and container match id prefixes or names of their own type only', () => {
    expect(matchesEventFilters(stamped, f({ network: ['abc'] }))).toBe(true);
    expect(matchesEventFilters(stamped, f({ network: ['front'] }))).toBe(true);
    expect(matchesEventFilters(stamped, f({ network: ['back'] }))).toBe(false);
    expect(matchesEventFilters(stamped, f({ container: ['c0ffee'] }))).toBe(false);
    expect(matchesEventFilters(sandbox, f({ container: ['web'] }))).toBe(true);
    expect(matchesEventFilters(sandbox, f({ container: ['c0f'] }))).toBe(true);
  });

  test('labels are attributes: k or k=v', () => {
    expect(matchesEventFilters(sandbox, f({ label: ['tier'] }))).toBe(true);
    expect(matchesEventFilters(sandbox, f({ label: ['tier=db'] }))).toBe(true);
    expect(matchesEventFilters(sandbox, f({ label: ['tier=web'] }))).toBe(false);
  });
});

describe('parseEventTime', () => {
  const now = 1_700_000_000_000_000_000n;
  test('unix seconds with and without fraction (what the docker CLI sends)', () => {
    expect(parseEventTime('1700000000', now)).toBe(1_700_000_000_000_000_000n);
    expect(parseEventTime('1700000000.5', now)).toBe(1_700_000_000_500_000_000n);
    expect(parseEventTime('1700000000.000000001', now)).toBe(1_700_000_000_000_000_001n);
  });
  test('Go durations before now and dates', () => {
    expect(parseEventTime('10m', now)).toBe(now - 600_000_000_000n);
    expect(parseEventTime('1h30m', now)).toBe(now - 5_400_000_000_000n);
    expect(parseEventTime('1.5s', now)).toBe(now - 1_500_000_000n);
    expect(parseEventTime('2023-11-14T22:13:20Z', now)).toBe(1_700_000_000_000_000_000n);
  });
  test('rubbish is undefined', () => {
    expect(parseEventTime('yesterday', now)).toBeUndefined();
    expect(parseEventTime('10x', now)).toBeUndefined();
  });
});
