import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { libc } from './libc.js';

let collect: (() => void) | undefined;

/** V8's gc() without starting node with --expose-gc: expose it once, fetch it from a fresh context. */
function fullGc(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * Hands memory freed after a burst of work back to the kernel: a full (compacting) V8 GC, then
 * glibc's malloc_trim for native allocations (libnftables, SQLite). A daemon that published 10 000
 * ports otherwise keeps its high-water mark of garbage resident for good. Costs a few ms.
 */
export function releaseFreeMemory(): void {
  fullGc();
  libc.malloc_trim(0);
}
