import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { SCHEMA_VERSION, migrate } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-schema-'));
  dirs.push(dir);
  return join(dir, 'berth.db');
}

function tables(path: string): { version: unknown; names: unknown[] } {
  const raw = new Database(path);
  const names = raw.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").pluck().all();
  const version = raw.prepare('SELECT version FROM schema_version').pluck().get();
  raw.close();
  return { version, names };
}

describe('schema migrations', () => {
  test('a new file gets version 1: the three tables, the endpoint indexes, schema_version', () => {
    const path = storePath();
    SqliteStore.open(path).close();
    expect(SCHEMA_VERSION).toBe(1);
    expect(tables(path)).toEqual({
      version: 1,
      names: ['endpoints', 'endpoints_by_network', 'endpoints_by_sandbox', 'networks', 'sandboxes', 'schema_version', 'sqlite_autoindex_endpoints_1', 'sqlite_autoindex_networks_1', 'sqlite_autoindex_networks_2', 'sqlite_autoindex_sandboxes_1', 'sqlite_autoindex_sandboxes_2'],
    });
  });

  test('migrating twice changes nothing', () => {
    const path = storePath();
    SqliteStore.open(path).close();
    const raw = new Database(path);
    migrate(raw, path);
    expect(raw.prepare('SELECT count(*) FROM schema_version').pluck().get()).toBe(1);
    raw.close();
  });

  test('a file from the first SqliteStore (version in user_version, no schema_version) keeps its rows', async () => {
    const path = storePath();
    const raw = new Database(path);
    raw.exec('CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL)');
    raw.exec('CREATE TABLE endpoints (id TEXT PRIMARY KEY, network_id TEXT NOT NULL, sandbox_id TEXT NOT NULL, json TEXT NOT NULL)');
    raw.exec('CREATE TABLE sandboxes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, json TEXT NOT NULL)');
    raw.pragma('user_version = 1');
    raw.close();
    const store = SqliteStore.open(path);
    expect(await store.load()).toEqual({ networks: [], endpoints: [], sandboxes: [] });
    store.close();
    expect(tables(path).version).toBe(1);
  });

  test('a file from a newer berth is refused, naming both versions', () => {
    const path = storePath();
    SqliteStore.open(path).close();
    const raw = new Database(path);
    raw.prepare('UPDATE schema_version SET version = 99').run();
    raw.close();
    expect(() => SqliteStore.open(path)).toThrow(/schema version 99, newer than this berth \(1\)/);
  });
});
