import { describe, expect, test } from 'vitest';
import { KeyedLock } from './keyed-lock.js';
import { resolveByIdOrName } from './resolve.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedLock', () => {
  test('work on one key never overlaps and keeps arrival order; other keys run alongside', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const job = (key: string, name: string, ms: number) =>
      lock.with([key], async () => {
        inside += key === 'a' ? 1 : 0;
        maxInside = Math.max(maxInside, inside);
        events.push(`start ${name}`);
        await sleep(ms);
        events.push(`end ${name}`);
        inside -= key === 'a' ? 1 : 0;
        return name;
      });
    const results = await Promise.all([job('a', 'a1', 20), job('a', 'a2', 1), job('b', 'b1', 5), job('a', 'a3', 1)]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(maxInside).toBe(1);
    expect(events.filter((event) => event.includes(' a'))).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(events.indexOf('end b1')).toBeLessThan(events.indexOf('end a1'));
  });

  test('a failing holder releases the key', async () => {
    const lock = new KeyedLock();
    await expect(lock.with(['k'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.with(['k'], () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('resolveByIdOrName', () => {
  const kind = { noun: 'network', notFound: 'NETWORK_NOT_FOUND', ambiguous: 'NETWORK_AMBIGUOUS' } as const;
  const items = [
    { id: 'abc123', name: 'front' },
    { id: 'abd456', name: 'abc123x' },
    { id: 'fff000', name: 'abc' },
  ];
  test('full id, then exact name, then unique prefix', () => {
    expect(resolveByIdOrName(items, 'abc123', kind).name).toBe('front');
    expect(resolveByIdOrName(items, 'abc', kind).id).toBe('fff000');
    expect(resolveByIdOrName(items, 'abd', kind).name).toBe('abc123x');
  });
  test('ambiguous prefix and missing names are typed errors', () => {
    expect(() => resolveByIdOrName(items, 'ab', kind)).toThrow('network ab is ambiguous (2 matches found based on ID prefix)');
    expect(() => resolveByIdOrName(items, 'back', kind)).toThrow('network back not found');
  });
});
