import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Netns } from '../kernel/index.js';
import type { Lab } from './lab.js';

/** A single-member etcd inside a lab namespace; never in the machine's own namespace. */
export interface LabEtcd {
  /** "HOST:2379", for --cluster-store etcd://… */
  readonly address: string;
  readonly output: string[];
  /** SIGKILL etcd (its data dir stays), and wait until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data dir; resolves once it answers. */
  start(): Promise<void>;
}

/**
 * Starts etcd (Debian's etcd-server) in `netns` of `lab`, listening on `ip` only, with its data
 * under the lab's directory. The lab kills it at close (it is a lab process).
 */
export async function startLabEtcd(lab: Lab, where: { readonly netns: Netns; readonly ip: string } = { netns: lab.router.netns, ip: lab.router.ip }): Promise<LabEtcd> {
  const dataDir = join(lab.dir, 'etcd');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const client = `http://${where.ip}:2379`;
  const peer = `http://${where.ip}:2380`;
  const output: string[] = [];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const spawned = lab.spawn(where.netns, [
      'etcd', '--name', 'lab', '--data-dir', dataDir,
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `lab=${peer}`,
      // Short election timers: a restarted single member is leader again within a second.
      '--heartbeat-interval', '50', '--election-timeout', '500', '--log-level', 'warn',
    ]);
    spawned.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    spawned.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child = spawned;
    for (let waited = 0; waited < 15_000; waited += 100) {
      if (spawned.exitCode !== null) throw new Error(`etcd exited with ${spawned.exitCode}: ${output.join('')}`);
      const healthy = await lab.run(where.netns, ['etcdctl', '--endpoints', client, '--command-timeout', '1s', 'endpoint', 'health'], { timeoutMs: 3000 }).then(() => true, () => false);
      if (healthy) return;
      await sleep(100);
    }
    throw new Error(`etcd did not become healthy: ${output.join('')}`);
  };
  await start();
  return {
    address: `${where.ip}:2379`,
    output,
    start,
    kill: async () => {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
