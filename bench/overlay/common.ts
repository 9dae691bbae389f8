/** Helpers shared by the sections of bench/overlay. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterNode, ClusterRig } from '../../src/lab/index.js';
import type { Netns } from '../../src/kernel/index.js';
export { QUICK, median, percentile, timed } from '../stats.js';

/** Wall-clock milliseconds since the epoch, sub-millisecond (comparable with `ping -D`). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** An API call on one node that must succeed (status < 300); resolves with the parsed body. */
export function api(node: ClusterNode): (method: string, path: string, body?: unknown) => Promise<unknown> {
  return async (method, path, body) => {
    const reply = await node.api(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path} on ${node.host.name}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
}

/** A sandbox's namespace and, when `network` is given, its IPv4 address and MAC there. */
export async function sandboxOn(node: ClusterNode, init: { readonly sandbox: string; readonly network?: string }): Promise<{ netns: Netns; ip: string; mac: string }> {
  const view = (await api(node)('GET', `/containers/${init.sandbox}/json`)) as { NetworkSettings: { SandboxKey: string; Networks: Record<string, { IPAddress: string; MacAddress: string } | undefined> } };
  const endpoint = init.network === undefined ? undefined : view.NetworkSettings.Networks[init.network];
  if (init.network !== undefined && (endpoint === undefined || endpoint.IPAddress === '')) throw new Error(`sandbox ${init.sandbox} has no address on ${init.network}`);
  return { netns: { path: view.NetworkSettings.SandboxKey }, ip: endpoint?.IPAddress ?? '', mac: endpoint?.MacAddress ?? '' };
}

/** Polls `probe` every 50 ms until it returns true; throws after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** How many berthd hosts hold a live lease in etcd (their `host/` keys). */
export async function liveHosts(rig: ClusterRig): Promise<number> {
  const keys = await rig.lab.run(rig.lab.router.netns, ['etcdctl', '--endpoints', `http://${rig.etcd.address}`, 'get', '--prefix', '--keys-only', '/berth/v1/host/'], { timeoutMs: 5000 });
  return keys.split('\n').filter((line) => line.trim() !== '').length;
}

/** The FDB of a network's VXLAN device on a node (`bridge fdb show dev vx-…`). */
export async function vxlanFdb(node: ClusterNode, networkId: string): Promise<string> {
  return node.run(['bridge', 'fdb', 'show', 'dev', `vx-${networkId.slice(0, 12)}`], { timeoutMs: 5000 });
}
