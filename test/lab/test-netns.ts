import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { Netns } from '../../src/kernel/netns.js';

/** Hooks a test can register cleanup with (vitest's TestContext has it). */
export interface Cleanup {
  onTestFinished(fn: () => Promise<void> | void): void;
}

/** A random suffix for names of test objects (links, namespaces), so runs never collide. */
export function randomSuffix(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

/** Creates a throwaway `ip netns` namespace with lo up, deleted when the test finishes. */
export async function createTestNetns(context: Cleanup, prefix = 'berth-t'): Promise<Netns> {
  const name = `${prefix}-${randomSuffix(4)}`;
  await execa('ip', ['netns', 'add', name]);
  context.onTestFinished(async () => {
    await execa('ip', ['netns', 'delete', name], { reject: false });
  });
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return { path: `/run/netns/${name}` };
}

/** Runs a command inside a namespace (test side only; berth itself never spawns for this). */
export async function inNetns(netns: Netns, command: readonly string[]): Promise<string> {
  const result = await execa('nsenter', [`--net=${netns.path}`, ...command]);
  return result.stdout;
}
