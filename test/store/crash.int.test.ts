import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SqliteStore } from '../../src/store/index.js';

const WRITER = new URL('./crash-writer.mjs', import.meta.url).pathname;

/** A small seeded generator (mulberry32), so a failing schedule can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the writer until SIGKILL after `ms`; returns the ids it reported as committed. */
function runAndKill(path: string, round: number, ms: number): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WRITER, path, `r${round}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      // Only complete lines were acknowledged.
      resolve(output.split('\n').slice(0, -1));
    });
  });
}

describe('store durability under kill -9', () => {
  test('every acknowledged transaction survives, none is half-written, the file always opens (seeded, 20 rounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
    const path = join(dir, 'berth.db');
    const next = random(20261125);
    const acknowledged: string[] = [];
    try {
      for (let round = 0; round < 20; round += 1) {
        acknowledged.push(...(await runAndKill(path, round, 150 + Math.floor(next() * 250))));
        const store = SqliteStore.open(path);
        const snapshot = await store.load();
        store.close();
        const networks = new Set(snapshot.networks.map((record) => record.id));
        const endpoints = new Set(snapshot.endpoints.map((record) => record.networkId));
        for (const id of acknowledged) expect(networks.has(id), `acknowledged ${id} lost`).toBe(true);
        expect([...networks].filter((id) => !endpoints.has(id))).toEqual([]);
        expect([...endpoints].filter((id) => !networks.has(id))).toEqual([]);
      }
      expect(acknowledged.length).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
