import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { BerthError } from '../errors/index.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';
import type { Store, StoreSnapshot, StoreTransaction } from './store.js';
import { parseEndpointRecord, parseNetworkRecord, parseSandboxRecord } from './record-codec.js';

const SCHEMA_VERSION = 1;

const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
   CREATE TABLE endpoints (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, sandbox_id TEXT NOT NULL, json TEXT NOT NULL);
   CREATE INDEX endpoints_by_network ON endpoints (network_id);
   CREATE INDEX endpoints_by_sandbox ON endpoints (sandbox_id);
   CREATE TABLE sandboxes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL);`,
];

type Write =
  | { readonly kind: 'putNetwork'; readonly record: NetworkRecord }
  | { readonly kind: 'deleteNetwork'; readonly id: string }
  | { readonly kind: 'putEndpoint'; readonly record: EndpointRecord }
  | { readonly kind: 'deleteEndpoint'; readonly id: string }
  | { readonly kind: 'putSandbox'; readonly record: SandboxRecord }
  | { readonly kind: 'deleteSandbox'; readonly id: string };

function storeError(message: string, cause: unknown): BerthError {
  return new BerthError('STORE_FAILURE', message, { operation: 'store transaction', cause });
}

/**
 * berth's local store: one SQLite file in WAL mode with synchronous=FULL, so a committed
 * transaction survives kill -9 and power loss, and a crash mid-write leaves the last commit.
 * Records are JSON documents, validated when loaded (record-codec.ts).
 */
export class SqliteStore implements Store {
  readonly #db: SqliteDatabase;
  #closed = false;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Opens (creating if needed, mode 0600 in a 0700 directory) and migrates the store at `path`. */
  static open(path: string): SqliteStore {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fresh = !existsSync(path);
    let db: SqliteDatabase;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new BerthError('STORE_FAILURE', `open store ${path}: ${error instanceof Error ? error.message : String(error)}`, { object: path, cause: error });
    }
    if (fresh) chmodSync(path, 0o600);
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new BerthError('STORE_FAILURE', `store ${path} has schema version ${version}, newer than this berth (${SCHEMA_VERSION})`, { object: path });
    }
    db.transaction(() => {
      for (let next = version; next < SCHEMA_VERSION; next += 1) db.exec(MIGRATIONS[next] ?? '');
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    return new SqliteStore(db);
  }

  async load(): Promise<StoreSnapshot> {
    const rows = (table: string): { id: string; json: string }[] => this.#db.prepare(`SELECT id, json FROM ${table} ORDER BY rowid`).all() as { id: string; json: string }[];
    const decode = <T>(table: string, parse: (value: unknown) => T): T[] =>
      rows(table).map((row) => {
        try {
          return parse(JSON.parse(row.json));
        } catch (error) {
          throw new BerthError('STORE_FAILURE', `store row ${table}/${row.id} is corrupt: ${error instanceof Error ? error.message : String(error)}`, { object: `${table}/${row.id}`, cause: error });
        }
      });
    return {
      networks: decode('networks', parseNetworkRecord),
      endpoints: decode('endpoints', parseEndpointRecord),
      sandboxes: decode('sandboxes', parseSandboxRecord),
    };
  }

  transaction(change: (tx: StoreTransaction) => void): Promise<void> {
    const writes: Write[] = [];
    try {
      change({
        putNetwork: (record) => writes.push({ kind: 'putNetwork', record }),
        deleteNetwork: (id) => writes.push({ kind: 'deleteNetwork', id }),
        putEndpoint: (record) => writes.push({ kind: 'putEndpoint', record }),
        deleteEndpoint: (id) => writes.push({ kind: 'deleteEndpoint', id }),
        putSandbox: (record) => writes.push({ kind: 'putSandbox', record }),
        deleteSandbox: (id) => writes.push({ kind: 'deleteSandbox', id }),
      });
      this.#db.transaction(() => {
        for (const write of writes) this.#apply(write);
      }).immediate();
    } catch (error) {
      return Promise.reject(this.#translate(error));
    }
    return Promise.resolve();
  }

  #apply(write: Write): void {
    switch (write.kind) {
      case 'putNetwork':
        this.#db.prepare('INSERT INTO networks (id, name, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json').run(write.record.id, write.record.name, JSON.stringify(write.record));
        return;
      case 'deleteNetwork':
        this.#db.prepare('DELETE FROM networks WHERE id = ?').run(write.id);
        return;
      case 'putEndpoint':
        this.#db.prepare('INSERT INTO endpoints (id, network_id, sandbox_id, json) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET network_id = excluded.network_id, sandbox_id = excluded.sandbox_id, json = excluded.json').run(write.record.id, write.record.networkId, write.record.sandboxId, JSON.stringify(write.record));
        return;
      case 'deleteEndpoint':
        this.#db.prepare('DELETE FROM endpoints WHERE id = ?').run(write.id);
        return;
      case 'putSandbox':
        this.#db.prepare('INSERT INTO sandboxes (id, name, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json').run(write.record.id, write.record.name, JSON.stringify(write.record));
        return;
      case 'deleteSandbox':
        this.#db.prepare('DELETE FROM sandboxes WHERE id = ?').run(write.id);
    }
  }

  #translate(error: unknown): BerthError {
    if (error instanceof BerthError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('UNIQUE constraint failed: networks.name')) return new BerthError('NETWORK_EXISTS', 'a network with that name already exists', { cause: error });
    if (message.includes('UNIQUE constraint failed: sandboxes.name')) return new BerthError('SANDBOX_EXISTS', 'a sandbox with that name already exists', { cause: error });
    return storeError(`store transaction failed: ${message}`, error);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
