import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonRig } from '../../src/lab/index.js';

/**
 * Runs a firewall-wrecking command in the lab host's namespace, after checking that this
 * namespace is not the machine's own (a `nft flush ruleset` there would cut the machine off).
 */
export async function inLabHost(rig: DaemonRig, command: readonly string[]): Promise<string> {
  const lab = statSync(rig.host.netns.path);
  // The test process's namespace must be checked; init's is checked when it can be read.
  for (const own of ['/proc/self/ns/net', '/proc/1/ns/net']) {
    let root;
    try {
      root = statSync(own);
    } catch (error) {
      if (own === '/proc/self/ns/net') throw error;
      continue;
    }
    if (root.ino === lab.ino && root.dev === lab.dev) throw new Error(`refusing to run ${command.join(' ')}: ${rig.host.netns.path} is this machine's namespace`);
  }
  return rig.lab.run(rig.host.netns, command);
}

/** Polls `probe` every 20 ms until it returns true; the milliseconds it took, or undefined after `limitMs`. */
export async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await sleep(20);
  }
  return undefined;
}
