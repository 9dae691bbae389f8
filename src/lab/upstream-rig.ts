import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Netns } from '../kernel/index.js';
import type { Lab } from './lab.js';

const FAKE_UPSTREAM = (() => {
  const fromSource = new URL('../../dist/src/lab/fake-upstream.js', import.meta.url).pathname;
  return existsSync(fromSource) ? fromSource : new URL('./fake-upstream.js', import.meta.url).pathname;
})();

/** Starts src/lab/fake-upstream.ts inside a lab namespace and waits until it listens. */
export async function startFakeUpstream(lab: Lab, init: { readonly netns: Netns; readonly listen: string; readonly records?: Readonly<Record<string, string>>; readonly delayMs?: number }): Promise<ChildProcess> {
  const args = ['--listen', init.listen, ...Object.entries(init.records ?? {}).flatMap(([name, ip]) => ['--record', `${name}=${ip}`])];
  if (init.delayMs !== undefined) args.push('--delay-ms', String(init.delayMs));
  const child = lab.spawn(init.netns, [process.execPath, FAKE_UPSTREAM, ...args]);
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake upstream on ${init.listen} did not start: ${output.join('')}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake upstream exited with ${String(code)}: ${output.join('')}`));
    });
  });
  return child;
}

/** Stops a process started by the lab and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
