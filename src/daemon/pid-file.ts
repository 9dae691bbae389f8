import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BerthError } from '../errors/index.js';

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One berthd per run root: refuses to start while the pid in `path` is alive (a stale file
 * left by a crash is replaced). Returns the release function.
 */
export function acquirePidFile(path: string): () => void {
  let existing: number | undefined;
  try {
    existing = Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !Number.isNaN(existing) && existing !== process.pid && running(existing)) {
    throw new BerthError('INVALID_ARGUMENT', `another berthd (pid ${existing}) is running with this run root (${path})`, { object: path });
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}
