import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import { SqliteStore } from '../../src/store/index.js';
import { seededRandom } from '../support/seeded-random.js';

// The writer runs the real SqliteStore as built into dist/ (scripts/test builds first).
const WRITER = fileURLToPath(new URL('./crash-writer.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE_SOURCES = ['sqlite-store', 'schema', 'record-codec', 'index'];
const ROUNDS = 24;
const SEED = 20261125;

/** Runs the writer, SIGKILLs it `ms` after its first acknowledgement; returns the ids it acknowledged. */
function runAndKill(path: string, round: number, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, `r${round}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    let timer: NodeJS.Timeout | undefined;
    // A child that never gets going (broken build) must not hang the test.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      timer ??= setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${String(signal)}): ${errors}`));
      // Only complete lines were acknowledged.
      else resolve(output.split('\n').slice(0, -1));
    });
  });
}

describe('store durability under kill -9', () => {
  beforeAll(() => {
    for (const name of STORE_SOURCES) {
      const source = statSync(join(ROOT, 'src/store', `${name}.ts`)).mtimeMs;
      const built = statSync(join(ROOT, 'dist/src/store', `${name}.js`), { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (built < source) throw new Error(`dist/src/store/${name}.js is missing or older than its source: run npm run build first`);
    }
  });

  test(`every acknowledged transaction survives, none is half-written, the file stays sound (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
    const path = join(dir, 'berth.db');
    const next = seededRandom(SEED);
    const acknowledged: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        // 0–120 ms of committing: a kill lands before, inside and between fsyncs.
        const ms = Math.floor(next() * 120);
        const ids = await runAndKill(path, round, ms);
        expect(ids.length, `round ${round} acknowledged nothing`).toBeGreaterThan(0);
        acknowledged.push(...ids);

        const store = SqliteStore.open(path);
        const snapshot = await store.load();
        store.close();
        const networks = new Set(snapshot.networks.map((record) => record.id));
        const endpoints = new Set(snapshot.endpoints.map((record) => record.networkId));
        const lost = acknowledged.filter((id) => !networks.has(id));
        expect(lost, `round ${round} (kill after ${ms} ms): acknowledged transactions lost`).toEqual([]);
        // Each transaction wrote a network and its endpoint: both or neither.
        expect([...networks].filter((id) => !endpoints.has(id)), `round ${round}: network without endpoint`).toEqual([]);
        expect([...endpoints].filter((id) => !networks.has(id)), `round ${round}: endpoint without network`).toEqual([]);

        const raw = new Database(path, { readonly: true });
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        raw.close();
      }
      expect(acknowledged.length).toBeGreaterThan(ROUNDS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
