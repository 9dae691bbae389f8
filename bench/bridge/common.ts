/** Helpers shared by the sections of bench/bridge. */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonRig } from '../../src/lab/index.js';
import type { Netns } from '../../src/kernel/index.js';
import { median } from '../stats.js';
export { QUICK, median, percentile, timed } from '../stats.js';

/** An API call that must succeed (status < 300); resolves with the parsed body. */
export function api(rig: DaemonRig): (method: string, path: string, body?: unknown) => Promise<unknown> {
  return async (method, path, body) => {
    const reply = await rig.api(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
}

/** A sandbox's namespace and its IPv4 address on one network, from container inspect. */
export async function sandboxOn(rig: DaemonRig, init: { readonly sandbox: string; readonly network: string }): Promise<{ netns: Netns; ip: string }> {
  const view = (await api(rig)('GET', `/containers/${init.sandbox}/json`)) as { NetworkSettings: { SandboxKey: string; Networks: Record<string, { IPAddress: string } | undefined> } };
  const ip = view.NetworkSettings.Networks[init.network]?.IPAddress;
  if (ip === undefined || ip === '') throw new Error(`sandbox ${init.sandbox} has no address on ${init.network}`);
  return { netns: { path: view.NetworkSettings.SandboxKey }, ip };
}

/** berthd's resident memory (VmRSS) in KiB. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib);
}

/** The median of a few RSS readings after the daemon had a moment to settle. */
export async function settledRssKiB(pid: number): Promise<number> {
  await sleep(1000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(rssKiB(pid));
    await sleep(200);
  }
  return median(readings);
}

export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}
