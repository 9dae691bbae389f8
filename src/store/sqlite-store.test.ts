import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
  dirs.push(dir);
  return join(dir, 'lib', 'berth.db');
}

export function network(id: string, name: string): NetworkRecord {
  return {
    id, name, driver: 'bridge', scope: 'local', created: '2026-11-25T00:00:00.000Z', internal: false, attachable: false,
    enableIpv4: true, enableIpv6: false, options: {}, labels: { a: 'b' }, predefined: false, driverState: { bridgeName: 'br-x' },
    ipam: { driver: 'default', options: {}, ipv6: [], ipv4: [{ requested: { auxAddresses: {} }, poolId: 'LocalDefault/10.1.0.0/24', allocated: { pool: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: {} } }] },
  };
}

export function endpoint(id: string, networkId: string): EndpointRecord {
  return { id, networkId, sandboxId: 's1', name: 'a', address: '10.1.0.2/24', aliases: [], interfaceName: 'eth0', driverState: {}, created: '2026-11-25T00:00:00.000Z' };
}

const sandbox: SandboxRecord = {
  id: 's1', name: 'a', created: '2026-11-25T00:00:00.000Z', netnsPath: '/run/berth/netns/s1', hostname: 'a',
  dns: { servers: [], search: [], options: [] }, extraHosts: [], labels: {},
};

describe('SqliteStore', () => {
  test('writes survive close and reopen; deletes too', async () => {
    const path = storePath();
    const store = SqliteStore.open(path);
    await store.transaction((tx) => {
      tx.putNetwork(network('n1', 'one'));
      tx.putNetwork(network('n2', 'two'));
      tx.putSandbox(sandbox);
      tx.putEndpoint(endpoint('e1', 'n1'));
    });
    await store.transaction((tx) => tx.deleteNetwork('n2'));
    store.close();
    store.close();
    const reopened = SqliteStore.open(path);
    const snapshot = await reopened.load();
    expect(snapshot.networks).toEqual([network('n1', 'one')]);
    expect(snapshot.endpoints).toEqual([endpoint('e1', 'n1')]);
    expect(snapshot.sandboxes).toEqual([sandbox]);
    reopened.close();
  });

  test('a transaction whose change throws, or that breaks a unique name, writes nothing', async () => {
    const store = SqliteStore.open(storePath());
    await store.transaction((tx) => tx.putNetwork(network('n1', 'one')));
    await expect(store.transaction((tx) => { tx.putEndpoint(endpoint('e9', 'n1')); throw new Error('boom'); })).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    await expect(store.transaction((tx) => { tx.putEndpoint(endpoint('e9', 'n1')); tx.putNetwork(network('n2', 'one')); })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
    const snapshot = await store.load();
    expect(snapshot.endpoints).toEqual([]);
    expect(snapshot.networks.map((record) => record.id)).toEqual(['n1']);
    // Updating a record under its own id keeps working.
    await store.transaction((tx) => tx.putNetwork({ ...network('n1', 'one'), labels: { c: 'd' } }));
    expect((await store.load()).networks[0]?.labels).toEqual({ c: 'd' });
    store.close();
  });

  test('a corrupt row is reported with its table and id, not dropped', async () => {
    const path = storePath();
    const store = SqliteStore.open(path);
    await store.transaction((tx) => tx.putNetwork(network('n1', 'one')));
    store.close();
    const raw = new Database(path);
    raw.prepare("UPDATE networks SET json = '{\"id\":\"n1\"}' WHERE id = 'n1'").run();
    raw.close();
    const reopened = SqliteStore.open(path);
    await expect(reopened.load()).rejects.toThrow(/store row networks\/n1 is corrupt: field name is missing/);
    reopened.close();
  });

  test('a store from a newer berth is refused', () => {
    const path = storePath();
    SqliteStore.open(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => SqliteStore.open(path)).toThrow(/schema version 99, newer than this berth/);
  });
});
