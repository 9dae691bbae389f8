import { execa } from 'execa';
import type { DaemonRig } from '../../src/lab/index.js';
import type { Lab, LabHost } from '../../src/lab/index.js';

/** The sandbox's namespace path (inspect's SandboxKey). */
export async function sandboxKey(rig: DaemonRig, name: string): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${name}/json`)).body as { NetworkSettings: { SandboxKey: string } };
  return inspect.NetworkSettings.SandboxKey;
}

/** The sandbox's IPv4 address on `network`. */
export async function addressOn(rig: DaemonRig, init: { readonly sandbox: string; readonly network: string }): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${init.sandbox}/json`)).body as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
  return inspect.NetworkSettings.Networks[init.network]?.IPAddress ?? '';
}

/** One ping from a namespace path; true when it got its reply. */
export async function pings(netnsPath: string, ip: string): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netnsPath}`, 'ping', '-c', '1', '-W', '1', ip], { reject: false, timeout: 10_000 });
  return result.exitCode === 0;
}

/** A few pings (the first may wait for ARP); true when any got its reply. */
export async function reaches(netnsPath: string, ip: string): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netnsPath}`, 'ping', '-c', '3', '-i', '0.2', '-W', '1', ip], { reject: false, timeout: 10_000 });
  return result.exitCode === 0;
}

/** POST /networks/create; the status and the message of a refusal. */
export async function createNetwork(rig: DaemonRig, body: Readonly<Record<string, unknown>>): Promise<{ status: number; message: string; id: string }> {
  const reply = await rig.api('POST', '/networks/create', body);
  const json = reply.body as { message?: string; Id?: string } | undefined;
  return { status: reply.status, message: json?.message ?? '', id: json?.Id ?? '' };
}

/**
 * Adds another uplink `name` to a lab host: a veth whose other end is a port of the lab
 * switch in the router namespace, as eth0 is. Removed with the lab.
 */
export async function addUplink(lab: Lab, init: { readonly host: LabHost; readonly name: string }): Promise<void> {
  const port = `to-${lab.hosts.indexOf(init.host)}-${init.name}`;
  await lab.router.kernel.links.create({ kind: 'veth', name: port, peer: { name: init.name, netnsPath: init.host.netns.path }, master: 'switch', up: true });
  await init.host.kernel.links.set(init.name, { up: true });
}

/** Links in a lab host marked as berth's (alias `berth:...`), by name. */
export async function berthLinks(host: LabHost): Promise<string[]> {
  return (await host.kernel.links.list()).filter((link) => link.alias?.startsWith('berth:') === true && link.name !== 'berth0').map((link) => link.name).sort();
}
