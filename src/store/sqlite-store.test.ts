import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { BerthError } from '../errors/index.js';
import { SqliteStore } from './sqlite-store.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A path whose parent directory does not exist yet. */
function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
  dirs.push(dir);
  return join(dir, 'lib', 'berth.db');
}

function openStore(path: string): SqliteStore {
  const store = SqliteStore.open(path);
  stores.push(store);
  return store;
}

function network(id: string, name: string): NetworkRecord {
  return {
    id, name, driver: 'bridge', scope: 'local', created: '2026-11-25T00:00:00.000Z', internal: false, attachable: false,
    enableIpv4: true, enableIpv6: false, options: {}, labels: { a: 'b' }, predefined: false, driverState: { bridgeName: 'br-x', nested: { list: [1, null] } },
    ipam: {
      driver: 'default', options: {}, ipv6: [],
      ipv4: [{ requested: { subnet: '10.1.0.0/24', auxAddresses: {} }, poolId: 'LocalDefault/10.1.0.0/24', allocated: { pool: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: { r: '10.1.0.9' } } }],
    },
  };
}

function endpoint(id: string, networkId: string): EndpointRecord {
  return {
    id, networkId, sandboxId: 's1', name: 'a', address: '10.1.0.2/24', macAddress: '02:42:0a:01:00:02', aliases: ['web'], interfaceName: 'eth0', driverState: {},
    created: '2026-11-25T00:00:00.000Z', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80, protocol: 'tcp' }],
  };
}

function sandbox(id: string, name: string): SandboxRecord {
  return {
    id, name, created: '2026-11-25T00:00:00.000Z', netnsPath: `/run/berth/netns/${id}`, hostname: name,
    dns: { servers: ['10.0.0.1'], search: [], options: ['ndots:1'] }, extraHosts: [], labels: {},
    process: { pid: 4242, startTime: '123456', command: ['sleep', 'inf'] },
  };
}

function rejection(promise: Promise<unknown>): Promise<BerthError> {
  return promise.then(
    () => { throw new Error('expected a rejection'); },
    (error: unknown) => {
      expect(error).toBeInstanceOf(BerthError);
      return error as BerthError;
    },
  );
}

describe('SqliteStore round trips', () => {
  test('puts, updates and deletes of each record kind survive close and reopen', async () => {
    const path = storePath();
    const store = SqliteStore.open(path);
    await store.transaction((tx) => {
      tx.putNetwork(network('n1', 'one'));
      tx.putNetwork(network('n2', 'two'));
      tx.putSandbox(sandbox('s1', 'a'));
      tx.putSandbox(sandbox('s2', 'b'));
      tx.putEndpoint(endpoint('e1', 'n1'));
      tx.putEndpoint(endpoint('e2', 'n2'));
    });
    await store.transaction((tx) => {
      tx.deleteNetwork('n2');
      tx.deleteEndpoint('e2');
      tx.deleteSandbox('s2');
      tx.putNetwork({ ...network('n1', 'renamed'), labels: { c: 'd' } });
    });
    // Deleting what is not there is not an error.
    await store.transaction((tx) => tx.deleteNetwork('gone'));
    store.close();
    store.close();

    const snapshot = await openStore(path).load();
    expect(snapshot).toEqual({
      networks: [{ ...network('n1', 'renamed'), labels: { c: 'd' } }],
      endpoints: [endpoint('e1', 'n1')],
      sandboxes: [sandbox('s1', 'a')],
    });
  });

  test('a new store is empty; records load in insertion order', async () => {
    const store = openStore(storePath());
    expect(await store.load()).toEqual({ networks: [], endpoints: [], sandboxes: [] });
    await store.transaction((tx) => ['z', 'a', 'm'].forEach((id) => tx.putNetwork(network(id, `name-${id}`))));
    expect((await store.load()).networks.map((record) => record.id)).toEqual(['z', 'a', 'm']);
  });

  test('a name freed earlier in the same transaction can be taken', async () => {
    const store = openStore(storePath());
    await store.transaction((tx) => tx.putNetwork(network('n1', 'one')));
    await store.transaction((tx) => {
      tx.deleteNetwork('n1');
      tx.putNetwork(network('n2', 'one'));
    });
    expect((await store.load()).networks.map((record) => record.id)).toEqual(['n2']);
  });
});

describe('SqliteStore atomicity', () => {
  test('a change that throws half-way writes nothing and rejects with STORE_FAILURE and the cause', async () => {
    const store = openStore(storePath());
    await store.transaction((tx) => tx.putNetwork(network('n1', 'one')));
    const boom = new Error('boom');
    const error = await rejection(store.transaction((tx) => {
      tx.putEndpoint(endpoint('e9', 'n1'));
      tx.deleteNetwork('n1');
      throw boom;
    }));
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.cause).toBe(boom);
    expect(await store.load()).toMatchObject({ networks: [{ id: 'n1' }], endpoints: [] });
  });

  test('a BerthError thrown by the change rejects unchanged', async () => {
    const store = openStore(storePath());
    const thrown = new BerthError('NETWORK_NOT_FOUND', 'network x not found');
    expect(await rejection(store.transaction(() => { throw thrown; }))).toBe(thrown);
  });

  test('a duplicate network name writes nothing and rejects with NETWORK_EXISTS naming it', async () => {
    const store = openStore(storePath());
    await store.transaction((tx) => tx.putNetwork(network('n1', 'one')));
    const error = await rejection(store.transaction((tx) => {
      tx.putEndpoint(endpoint('e9', 'n1'));
      tx.putSandbox(sandbox('s9', 'nine'));
      tx.putNetwork(network('n2', 'one'));
    }));
    expect(error).toMatchObject({ code: 'NETWORK_EXISTS', object: 'one', message: 'network with name one already exists' });
    expect(await store.load()).toMatchObject({ networks: [{ id: 'n1' }], endpoints: [], sandboxes: [] });
  });

  test('a duplicate sandbox name writes nothing and rejects with SANDBOX_EXISTS naming it', async () => {
    const store = openStore(storePath());
    await store.transaction((tx) => tx.putSandbox(sandbox('s1', 'web')));
    const error = await rejection(store.transaction((tx) => {
      tx.putNetwork(network('n1', 'one'));
      tx.putSandbox(sandbox('s2', 'web'));
    }));
    expect(error).toMatchObject({ code: 'SANDBOX_EXISTS', object: 'web' });
    expect(error.message).toContain('web');
    expect(await store.load()).toMatchObject({ networks: [], sandboxes: [{ id: 's1' }] });
  });
});

describe('SqliteStore open and close', () => {
  test('creates the directory 0700 and the file 0600', () => {
    const path = storePath();
    openStore(path);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
  });

  test('leaves the file in WAL mode', () => {
    const path = storePath();
    openStore(path).close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  test('a second open of the same file fails clearly while the first is open, and works after close', async () => {
    const path = storePath();
    const first = SqliteStore.open(path);
    expect(() => SqliteStore.open(path)).toThrow(/open store .*berth\.db: it is in use by another process/);
    first.close();
    await openStore(path).load();
  });

  test('after close, load and transaction reject with STORE_FAILURE', async () => {
    const store = SqliteStore.open(storePath());
    store.close();
    expect(await rejection(store.load())).toMatchObject({ code: 'STORE_FAILURE', message: expect.stringMatching(/is closed/) as unknown });
    expect(await rejection(store.transaction((tx) => tx.deleteNetwork('n1')))).toMatchObject({ code: 'STORE_FAILURE' });
  });

  test('a file that is not a database is refused with STORE_FAILURE', () => {
    const path = storePath();
    openStore(path).close();
    writeFileSync(path, 'not a database, just some text that is long enough to have a header '.repeat(10));
    rmSync(`${path}-wal`, { force: true });
    expect(() => SqliteStore.open(path)).toThrow(BerthError);
  });
});

describe('SqliteStore corrupt rows', () => {
  /** A store holding one record of each kind, then `sql` run on the raw file. */
  async function corrupted(sql: string): Promise<SqliteStore> {
    const path = storePath();
    const store = SqliteStore.open(path);
    await store.transaction((tx) => {
      tx.putNetwork(network('n1', 'one'));
      tx.putEndpoint(endpoint('e1', 'n1'));
      tx.putSandbox(sandbox('s1', 'a'));
    });
    store.close();
    const raw = new Database(path);
    raw.exec(sql);
    raw.close();
    return openStore(path);
  }

  test.each([
    ["UPDATE networks SET json = '{\"id\":\"n1\"}'", /row networks\/n1 is corrupt: field name is missing/],
    ["UPDATE networks SET json = '{\"id\":'", /row networks\/n1 is corrupt: .*JSON/],
    ["UPDATE networks SET json = '[]'", /row networks\/n1 is corrupt: network is not an object/],
    ["UPDATE networks SET json = json_set(json, '$.scope', 'galaxy')", /row networks\/n1 is corrupt: field scope is not one of local, global/],
    ["UPDATE networks SET json = json_remove(json, '$.ipam.ipv4[0].allocated.pool')", /networks\/n1 is corrupt: field ipam\.ipv4\[0\]\.allocated\.pool is missing/],
    ["UPDATE networks SET json = json_set(json, '$.id', 'n2')", /row networks\/n1 is corrupt: its JSON has id n2/],
    ["UPDATE endpoints SET json = json_set(json, '$.aliases', json('[1]'))", /row endpoints\/e1 is corrupt: field aliases is not a list of strings/],
    ["UPDATE endpoints SET json = json_set(json, '$.ports[0].protocol', 'icmp')", /row endpoints\/e1 is corrupt: field ports\[0\]\.protocol is not one of/],
    ["UPDATE sandboxes SET json = json_remove(json, '$.dns.search')", /row sandboxes\/s1 is corrupt: field dns\.search is missing/],
    ["UPDATE sandboxes SET json = json_set(json, '$.process.pid', 'x')", /row sandboxes\/s1 is corrupt: field process\.pid is not a pid/],
  ])('%s is reported with its table and id as STORE_FAILURE', async (sql, message) => {
    const store = await corrupted(sql);
    const error = await rejection(store.load());
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.message).toMatch(message);
    expect(error.object).toMatch(/^(networks|endpoints|sandboxes)\/[nes]1$/);
  });
});
