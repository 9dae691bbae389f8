import type { Database as SqliteDatabase } from 'better-sqlite3';
import { BerthError } from '../errors/index.js';

/** The schema version this berth writes; `migrate` brings older files up to it. */
export const SCHEMA_VERSION = 1;

/**
 * `MIGRATIONS[n]` takes a file from version n to n + 1. Append only: a released step is never
 * edited, because files in the field have already run it.
 */
const MIGRATIONS: readonly string[] = [
  // 0 → 1: the first schema.
  `CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
   CREATE TABLE endpoints (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, sandbox_id TEXT NOT NULL, json TEXT NOT NULL);
   CREATE INDEX endpoints_by_network ON endpoints (network_id);
   CREATE INDEX endpoints_by_sandbox ON endpoints (sandbox_id);
   CREATE TABLE sandboxes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL);`,
];

function hasTable(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * The file's schema version: the single row of `schema_version`. A file without that table is
 * either new (0) or was written by the first SqliteStore, which kept version 1 in
 * `PRAGMA user_version` and has the same tables.
 */
function currentVersion(db: SqliteDatabase): number {
  if (hasTable(db, 'schema_version')) {
    const row: unknown = db.prepare('SELECT version FROM schema_version').get();
    const version = typeof row === 'object' && row !== null && 'version' in row ? row.version : undefined;
    if (typeof version !== 'number' || !Number.isInteger(version)) throw new Error('table schema_version holds no version');
    return version;
  }
  return hasTable(db, 'networks') ? Number(db.pragma('user_version', { simple: true })) : 0;
}

/**
 * Brings the store at `path` (open as `db`) to SCHEMA_VERSION in one transaction, so a crash
 * mid-migration leaves the old version. Refuses a file from a newer berth rather than guess.
 */
export function migrate(db: SqliteDatabase, path: string): void {
  db.transaction(() => {
    const version = currentVersion(db);
    if (version > SCHEMA_VERSION) {
      throw new BerthError('STORE_FAILURE', `store ${path} has schema version ${version}, newer than this berth (${SCHEMA_VERSION})`, { operation: 'open store', object: path });
    }
    if (version === SCHEMA_VERSION && hasTable(db, 'schema_version')) return;
    for (let next = version; next < SCHEMA_VERSION; next += 1) {
      const step = MIGRATIONS[next];
      if (step === undefined) throw new Error(`no migration from schema version ${next}`);
      db.exec(step);
    }
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  }).immediate();
}
