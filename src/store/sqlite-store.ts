import { closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { BerthError } from '../errors/index.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';
import type { Store, StoreSnapshot, StoreTransaction } from './store.js';
import { parseEndpointRecord, parseNetworkRecord, parseSandboxRecord } from './record-codec.js';
import { migrate } from './schema.js';

/** How long `open` waits for another process's lock on the file before giving up. */
const LOCK_TIMEOUT_MS = 1000;

type Write =
  | { readonly kind: 'putNetwork'; readonly record: NetworkRecord }
  | { readonly kind: 'deleteNetwork'; readonly id: string }
  | { readonly kind: 'putEndpoint'; readonly record: EndpointRecord }
  | { readonly kind: 'deleteEndpoint'; readonly id: string }
  | { readonly kind: 'putSandbox'; readonly record: SandboxRecord }
  | { readonly kind: 'deleteSandbox'; readonly id: string };

type Statements = Readonly<Record<Write['kind'], Statement>>;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes(column);
}

/** Creates the file 0600 before SQLite does (its -wal file copies that mode), durably. */
function createFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', 0o600));
  const directory = openSync(dirname(path), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

/** Opens the connection with the durability settings of docs/store.md and migrates the schema. */
function connect(path: string): SqliteDatabase {
  const db = new Database(path, { timeout: LOCK_TIMEOUT_MS });
  try {
    // Exclusive: the first access below takes the file lock and keeps it until close, so a
    // second process on the same file fails here instead of interleaving its writes.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
    db.pragma('synchronous = FULL');
    // Integrity between records is the controller's (it writes an endpoint with its network's
    // creation or after it); rows are opaque documents here, see docs/store.md.
    db.pragma('foreign_keys = OFF');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * berth's local store: one SQLite file in WAL mode with synchronous=FULL, so a committed
 * transaction survives kill -9 and power loss, and a crash mid-write leaves the last commit.
 * Records are JSON documents, validated when loaded (record-codec.ts). docs/store.md.
 */
export class SqliteStore implements Store {
  readonly #db: SqliteDatabase;
  readonly #path: string;
  readonly #statements: Statements;
  #closed = false;

  private constructor(db: SqliteDatabase, path: string) {
    this.#db = db;
    this.#path = path;
    this.#statements = {
      putNetwork: db.prepare('INSERT INTO networks (id, name, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json'),
      deleteNetwork: db.prepare('DELETE FROM networks WHERE id = ?'),
      putEndpoint: db.prepare(
        'INSERT INTO endpoints (id, network_id, sandbox_id, json) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET network_id = excluded.network_id, sandbox_id = excluded.sandbox_id, json = excluded.json',
      ),
      deleteEndpoint: db.prepare('DELETE FROM endpoints WHERE id = ?'),
      putSandbox: db.prepare('INSERT INTO sandboxes (id, name, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json'),
      deleteSandbox: db.prepare('DELETE FROM sandboxes WHERE id = ?'),
    };
  }

  /**
   * Opens (creating if needed: directory 0700, file 0600) and migrates the store at `path`.
   * STORE_FAILURE when the file cannot be opened, is locked by another process (another
   * berthd on the same root), or has a schema from a newer berth.
   */
  static open(path: string): SqliteStore {
    try {
      createFile(path);
      return new SqliteStore(connect(path), path);
    } catch (error) {
      if (error instanceof BerthError) throw error;
      const busy = error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
      const reason = busy ? 'it is in use by another process (is another berthd running on the same root?)' : describe(error);
      throw new BerthError('STORE_FAILURE', `open store ${path}: ${reason}`, { operation: 'open store', object: path, cause: error });
    }
  }

  /** Every record; STORE_FAILURE naming `table/id` for a row that is not a valid record. */
  load(): Promise<StoreSnapshot> {
    try {
      this.#ensureOpen('load store');
      return Promise.resolve({
        networks: this.#decode('networks', parseNetworkRecord),
        endpoints: this.#decode('endpoints', parseEndpointRecord),
        sandboxes: this.#decode('sandboxes', parseSandboxRecord),
      });
    } catch (error) {
      return Promise.reject(error instanceof BerthError ? error : this.#failure('load store', error));
    }
  }

  #decode<T extends { readonly id: string }>(table: string, parse: (value: unknown) => T): T[] {
    const rows = this.#db.prepare(`SELECT id, json FROM ${table} ORDER BY rowid`).all() as { id: string; json: string }[];
    return rows.map((row) => {
      try {
        const record = parse(JSON.parse(row.json));
        if (record.id !== row.id) throw new Error(`its JSON has id ${record.id}`);
        return record;
      } catch (error) {
        const object = `${table}/${row.id}`;
        throw new BerthError('STORE_FAILURE', `store ${this.#path}: row ${object} is corrupt: ${describe(error)}`, { operation: 'load store', object, cause: error });
      }
    });
  }

  /**
   * Runs `change` to collect its writes, then applies them in one `BEGIN IMMEDIATE` SQLite
   * transaction and resolves once it is committed (fsynced). On any failure nothing is written:
   * a BerthError thrown by `change` rejects as is, a duplicate name as NETWORK_EXISTS or
   * SANDBOX_EXISTS, anything else as STORE_FAILURE with the cause.
   */
  transaction(change: (tx: StoreTransaction) => void): Promise<void> {
    try {
      this.#ensureOpen('store transaction');
      const writes = this.#collect(change);
      this.#db.transaction(() => {
        for (const write of writes) this.#apply(write);
      }).immediate();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof BerthError ? error : this.#failure('store transaction', error));
    }
  }

  #collect(change: (tx: StoreTransaction) => void): readonly Write[] {
    const writes: Write[] = [];
    change({
      putNetwork: (record) => writes.push({ kind: 'putNetwork', record }),
      deleteNetwork: (id) => writes.push({ kind: 'deleteNetwork', id }),
      putEndpoint: (record) => writes.push({ kind: 'putEndpoint', record }),
      deleteEndpoint: (id) => writes.push({ kind: 'deleteEndpoint', id }),
      putSandbox: (record) => writes.push({ kind: 'putSandbox', record }),
      deleteSandbox: (id) => writes.push({ kind: 'deleteSandbox', id }),
    });
    return writes;
  }

  #apply(write: Write): void {
    const statement = this.#statements[write.kind];
    switch (write.kind) {
      case 'putNetwork':
        try {
          statement.run(write.record.id, write.record.name, JSON.stringify(write.record));
        } catch (error) {
          if (!isUniqueViolation(error, 'networks.name')) throw error;
          throw new BerthError('NETWORK_EXISTS', `network with name ${write.record.name} already exists`, { operation: 'store network', object: write.record.name, cause: error });
        }
        return;
      case 'putEndpoint':
        statement.run(write.record.id, write.record.networkId, write.record.sandboxId, JSON.stringify(write.record));
        return;
      case 'putSandbox':
        try {
          statement.run(write.record.id, write.record.name, JSON.stringify(write.record));
        } catch (error) {
          if (!isUniqueViolation(error, 'sandboxes.name')) throw error;
          throw new BerthError('SANDBOX_EXISTS', `sandbox name ${write.record.name} is already in use`, { operation: 'store sandbox', object: write.record.name, cause: error });
        }
        return;
      case 'deleteNetwork':
      case 'deleteEndpoint':
      case 'deleteSandbox':
        statement.run(write.id);
    }
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw new BerthError('STORE_FAILURE', `${operation}: store ${this.#path} is closed`, { operation, object: this.#path });
  }

  #failure(operation: string, error: unknown): BerthError {
    return new BerthError('STORE_FAILURE', `${operation} ${this.#path} failed: ${describe(error)}`, { operation, object: this.#path, cause: error });
  }

  /** Closes the file (checkpointing the WAL) and releases its lock; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
