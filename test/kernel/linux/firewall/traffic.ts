import { execa } from 'execa';
import type { Netns } from '../../../../src/kernel/netns.js';
import type { Cleanup } from '../../../lab/test-netns.js';

/** A random unprivileged TCP port, so runs never collide. */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/** True when a TCP connect to 127.0.0.1:`port` inside `netns` succeeds within a second. */
export async function canConnect(netns: Netns, port: number): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netns.path}`, 'nc', '-z', '-w1', '127.0.0.1', String(port)], { reject: false });
  return result.exitCode === 0;
}

/** True when one ping to 127.0.0.1 inside `netns` is answered within a second. */
export async function canPing(netns: Netns): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netns.path}`, 'ping', '-c1', '-W1', '127.0.0.1'], { reject: false });
  return result.exitCode === 0;
}

/** Starts a TCP listener on 127.0.0.1:`port` inside `netns`, stopped when the test finishes. */
export async function startListener(context: Cleanup, netns: Netns, port: number): Promise<void> {
  const listener = execa('nsenter', [`--net=${netns.path}`, 'nc', '-lk', '127.0.0.1', String(port)], { reject: false });
  context.onTestFinished(async () => {
    listener.kill();
    await listener;
  });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await canConnect(netns, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`listener on 127.0.0.1:${port} in ${netns.path} did not come up`);
}

/** Runs a command in `netns` and returns its stdout (test side only). */
export async function runIn(netns: Netns, argv: readonly string[], input?: string): Promise<string> {
  const result = await execa('nsenter', [`--net=${netns.path}`, ...argv], input === undefined ? {} : { input });
  return result.stdout;
}
