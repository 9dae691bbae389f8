import { randomUUID } from 'node:crypto';
import { prepareNetnsRunDir } from '../../src/lab/netns-run-dir.js';
import { RUN_ID_VARIABLE, assertNoLeftovers, takeSnapshot } from '../lab/leak-check.js';

// Whole-run leak check (vitest `globalSetup`): catches what outlives every file, such as a daemon
// started by one file and never stopped. Vitest runs the teardown after the reporters have
// finished, so besides throwing, the teardown appends the leftovers to $BERTH_LEAK_MARKER (set by
// scripts/test), which scripts/test reports as a failure.

/** Snapshots the host before the run; the returned teardown checks it after the run. */
export default async function setup(): Promise<() => Promise<void>> {
  // Set before vitest starts its workers, so they and everything they start inherit it.
  process.env[RUN_ID_VARIABLE] ??= randomUUID();
  // On a fresh machine the first lab (or `ip netns add`) makes /run/netns a mount point: do it
  // before the snapshot, so it is not counted as something the run left behind.
  await prepareNetnsRunDir();
  const before = await takeSnapshot();
  return async () => {
    const markerFile = process.env['BERTH_LEAK_MARKER'];
    try {
      await assertNoLeftovers(before, 'the test run', markerFile === undefined ? {} : { markerFile });
    } catch (error) {
      // Vitest prints a teardown error but still exits 0; make the exit code say the run failed.
      process.exitCode = 1;
      throw error;
    }
  };
}
