import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab } from './lab.js';

/**
 * Runs a benchmark script's `worker` inside a throwaway lab host: the script re-executes itself
 * with `--worker` under `nsenter --net=<lab host>`, so both sides of a comparison act on their
 * own namespace directly (no nsenter in the timed baseline), and the lab is removed after.
 */
export async function runInLab(init: { readonly scriptUrl: string; readonly worker: () => Promise<void> }): Promise<void> {
  if (process.argv.includes('--worker')) {
    await init.worker();
    return;
  }
  const lab = await Lab.create({ prefix: 'berth-bench' });
  try {
    const result = spawnSync('nsenter', [`--net=${lab.host.netns.path}`, process.execPath, fileURLToPath(init.scriptUrl), '--worker'], { stdio: 'inherit', env: process.env });
    if (result.status !== 0) process.exitCode = result.status ?? 1;
  } finally {
    await lab.close();
  }
}
