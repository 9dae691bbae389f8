import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { Lab } from './lab.js';
import type { LabHost } from './lab.js';
import { startLabEtcd } from './etcd.js';
import { BERTH, BERTHD, unixApi } from './unix-api.js';
import type { LabEtcd } from './etcd.js';


/** One berthd of a cluster lab, on one lab host. */
export interface ClusterNode {
  readonly host: LabHost;
  readonly output: string[];
  daemon: ChildProcess | undefined;
  start(): Promise<void>;
  /** SIGKILL berthd (its sandboxes stay), and wait until it is gone. */
  kill(): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  berth(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** A command inside this host's namespace. */
  run(command: readonly string[], options?: { readonly timeoutMs?: number }): Promise<string>;
}

/** A lab of N hosts, each with a berthd in cluster mode, and etcd on the lab router. */
export interface ClusterRig {
  readonly lab: Lab;
  readonly etcd: LabEtcd;
  readonly nodes: readonly ClusterNode[];
  /** Node n (0-based). */
  node(index: number): ClusterNode;
  close(): Promise<void>;
}

function apiCall(socketPath: string, init: { method: string; path: string; body?: unknown }): Promise<{ status: number; body: unknown }> {
  return unixApi(socketPath, init);
}

function clusterNode(init: { lab: Lab; host: LabHost; etcd: LabEtcd; args: readonly string[] }): ClusterNode {
  const { lab, host } = init;
  const resolvConf = join(host.stateDir, '..', 'resolv.conf');
  writeFileSync(resolvConf, `nameserver ${lab.router.ip}\n`);
  const node: ClusterNode = {
    host, output: [], daemon: undefined,
    start: async () => {
      const child = lab.spawn(host.netns, [
        process.execPath, BERTHD, '--root', host.stateDir, '--run-root', host.runDir, '--log-level', 'debug', '--host-resolv-conf', resolvConf,
        '--cluster-store', `etcd://${init.etcd.address}`, '--advertise-addr', host.ip, ...init.args,
      ]);
      child.stdout?.on('data', (chunk: Buffer) => node.output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => node.output.push(chunk.toString()));
      node.daemon = child;
      for (let waited = 0; waited < 20_000; waited += 50) {
        if (child.exitCode !== null) throw new Error(`berthd on ${host.name} exited with ${child.exitCode}: ${node.output.join('')}`);
        if (existsSync(host.socketPath) && (await node.api('GET', '/_ping').then((reply) => reply.status === 200, () => false))) return;
        await sleep(50);
      }
      throw new Error(`berthd on ${host.name} did not answer: ${node.output.join('')}`);
    },
    kill: async () => {
      const child = node.daemon;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    api: (method, path, body) => apiCall(host.socketPath, { method, path, body }),
    berth: async (args) => {
      const result = await execa(process.execPath, [BERTH, ...args], { reject: false, env: { BERTH_HOST: `unix://${host.socketPath}` }, timeout: 30_000 });
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    run: (command, options) => lab.run(host.netns, command, options),
  };
  return node;
}

/**
 * Builds a cluster lab: `hosts` lab hosts, etcd on the lab router (198.18.0.1:2379), and a
 * berthd per host with --cluster-store and --advertise-addr its lab address. `close()` stops
 * the daemons and removes the lab (etcd and sandboxes included).
 */
export async function startCluster(options: { readonly hosts?: number; readonly args?: readonly string[] } = {}): Promise<ClusterRig> {
  const lab = await Lab.create({ hosts: options.hosts ?? 3, prefix: 'berth-c' });
  const nodes: ClusterNode[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map(async (node) => {
      const child = node.daemon;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    }));
    await lab.close();
  };
  try {
    const etcd = await startLabEtcd(lab);
    for (const host of lab.hosts) nodes.push(clusterNode({ lab, host, etcd, args: options.args ?? [] }));
    await Promise.all(nodes.map((node) => node.start()));
    return {
      lab, etcd, nodes, close,
      node: (index) => {
        const node = nodes[index];
        if (node === undefined) throw new Error(`no cluster node ${index}`);
        return node;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
