import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterNode } from '../../src/lab/index.js';

/** Runs the berth CLI on a node; throws with the daemon's last log lines on failure. */
export async function berth(node: ClusterNode, args: readonly string[]): Promise<string> {
  const result = await node.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')} on ${node.host.name}: ${result.stderr}\n${node.output.slice(-10).join('')}`);
  return result.stdout;
}

export interface EndpointFacts {
  readonly ip: string;
  readonly mac: string;
}

/** A sandbox's address and MAC on a network, from the container inspect of its host. */
export async function endpointOf(node: ClusterNode, init: { readonly name: string; readonly network: string }): Promise<EndpointFacts> {
  const inspect = (await node.api('GET', `/containers/${init.name}/json`)).body as { NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> } };
  const network = inspect.NetworkSettings.Networks[init.network];
  return { ip: network?.IPAddress ?? '', mac: network?.MacAddress ?? '' };
}

/** Polls `probe` until it returns a value (not undefined, no throw). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${last instanceof Error ? last.message : 'no value'}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The bridge FDB entries (`bridge fdb show dev vx-…`) of a network's VXLAN device on a node. */
export async function vxlanFdb(node: ClusterNode, networkId: string): Promise<string> {
  return node.run(['bridge', 'fdb', 'show', 'dev', `vx-${networkId.slice(0, 12)}`]);
}

export async function vxlanNeighbours(node: ClusterNode, networkId: string): Promise<string> {
  return node.run(['ip', 'neigh', 'show', 'dev', `vx-${networkId.slice(0, 12)}`]);
}

/** SIGKILLs every process living in one of the node's sandbox namespaces (a host that died takes them along). */
export function killSandboxProcesses(node: ClusterNode): void {
  const dir = join(node.host.runDir, 'netns');
  const inodes = new Set(readdirSync(dir).map((name) => statSync(join(dir, name)).ino));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const match = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/ns/net`));
      if (match?.[1] !== undefined && inodes.has(Number(match[1]))) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}
