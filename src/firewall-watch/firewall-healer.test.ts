import { describe, expect, test } from 'vitest';
import { SILENT_LOGGER } from '../controller/index.js';
import { FirewallHealer } from './firewall-healer.js';
import { TransactionFilter } from './change-filter.js';

function target(drifts: (readonly string[])[]): { readonly check: () => Promise<readonly string[]>; readonly reapply: () => Promise<void>; reapplied: number } {
  const fake = {
    reapplied: 0,
    check: () => Promise.resolve(drifts.shift() ?? []),
    reapply: () => { fake.reapplied += 1; return Promise.resolve(); },
  };
  return fake;
}

describe('FirewallHealer', () => {
  test('re-applies only on drift and counts it', async () => {
    const fake = target([[], ['table inet berth is missing'], []]);
    const healer = new FirewallHealer({ target: fake, log: SILENT_LOGGER, intervalMs: 60_000 });
    await healer.checkNow('test');
    expect(fake.reapplied).toBe(0);
    await healer.checkNow('test');
    expect(fake.reapplied).toBe(1);
    expect(healer.counters).toEqual({ checks: 2, heals: 1, failures: 0 });
  });

  test('a failing re-apply is counted and does not throw', async () => {
    const healer = new FirewallHealer({
      target: { check: () => Promise.resolve(['x']), reapply: () => Promise.reject(new Error('nft: busy')) }, log: SILENT_LOGGER, intervalMs: 60_000,
    });
    await healer.checkNow('test');
    expect(healer.counters.failures).toBe(1);
  });

  test('notifications are coalesced into one check', async () => {
    const fake = target([['drift']]);
    const healer = new FirewallHealer({ target: fake, log: SILENT_LOGGER, intervalMs: 60_000, debounceMs: 10 });
    for (let index = 0; index < 20; index += 1) healer.notify('burst');
    await new Promise((resolve) => setTimeout(resolve, 50));
    healer.stop();
    expect(healer.counters.checks).toBe(1);
    expect(fake.reapplied).toBe(1);
  });
});

describe('TransactionFilter', () => {
  const filter = new TransactionFilter({ selfPid: 100 });
  test('a deletion by another process is suspect; berth\'s own transactions and foreign additions elsewhere are not', () => {
    expect(filter.feed({ verb: 'del', object: 'table', family: 1, table: 'other' })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'generation', family: 0, pid: 200 })).toBe(true);
    expect(filter.feed({ verb: 'del', object: 'element', family: 1, table: 'berth' })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'generation', family: 0, pid: 100 })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'rule', family: 2, table: 'filter', chain: 'INPUT' })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'generation', family: 0, pid: 200 })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'rule', family: 2, table: 'filter', chain: 'BERTH-FORWARD' })).toBe(false);
    expect(filter.feed({ verb: 'new', object: 'generation', family: 0, pid: 200 })).toBe(true);
  });
});
