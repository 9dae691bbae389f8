import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { inspect } from './ports-support.js';

/**
 * Isolation matrix (issue H item 6): every source (each sandbox, the lab host, a machine outside
 * on the lab LAN with routes to every sandbox subnet via the host) probes every other place by
 * ICMP, TCP and UDP over IPv4 and IPv6, and a published TCP and UDP port through both of the
 * host's addresses. Each place runs echo servers (TCP 7000, UDP 7001); a probe is open only when
 * the echo comes back. The whole observed matrix must equal the policy below, for both firewall
 * backends, with br_netfilter as the kernel has it (on in these labs).
 */
const PROBE = fileURLToPath(new URL('./isolation-probe.mjs', import.meta.url));

interface NetworkPlan { readonly name: string; readonly v4: string; readonly v6: string; readonly icc: boolean; readonly internal: boolean }
const NETWORKS: readonly NetworkPlan[] = [
  { name: 'red', v4: '10.91.0.0/24', v6: 'fd00:91::/64', icc: true, internal: false },
  { name: 'blue', v4: '10.92.0.0/24', v6: 'fd00:92::/64', icc: true, internal: false },
  { name: 'quiet', v4: '10.93.0.0/24', v6: 'fd00:93::/64', icc: false, internal: false },
  { name: 'inner', v4: '10.94.0.0/24', v6: 'fd00:94::/64', icc: true, internal: true },
];
const SANDBOXES = [
  { name: 'red1', network: 'red', ports: ['8080:7000', '8081:7001/udp'] },
  { name: 'red2', network: 'red', ports: [] },
  { name: 'blue1', network: 'blue', ports: [] },
  { name: 'quiet1', network: 'quiet', ports: [] },
  { name: 'quiet2', network: 'quiet', ports: [] },
  { name: 'inner1', network: 'inner', ports: [] },
  { name: 'inner2', network: 'inner', ports: [] },
] as const;
const PUBLISHED = { tcp: 8080, udp: 8081 } as const;
const ECHO = { tcp: 7000, udp: 7001 } as const;

type Proto = 'icmp' | 'tcp' | 'udp';
interface Place { readonly name: string; readonly netns: string; readonly v4: string; readonly v6: string; readonly network?: NetworkPlan }
interface Probe { readonly to: Place | 'published'; readonly proto: Proto; readonly ip: string; readonly port: number }

function networkOf(name: string): NetworkPlan {
  const network = NETWORKS.find((candidate) => candidate.name === name);
  if (network === undefined) throw new Error(`no network ${name}`);
  return network;
}

/** berth's policy (docs/firewall.md): may `from` reach `to` (whatever the protocol and family)? */
function allowed(from: Place, to: Place | 'published'): boolean {
  const source = from.network;
  if (to === 'published') return source === undefined || !source.internal;
  const target = to.network;
  if (source === undefined) return from.name === 'host' || target === undefined;
  if (target === undefined) return !source.internal;
  if (source !== target) return false;
  return source.icc;
}

async function ping(netns: string, ip: string): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netns}`, 'ping', ip.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', ip], { reject: false });
  return result.exitCode === 0;
}

/** Runs all probes of one source at once: one probe process for TCP/UDP, pings in parallel. */
async function run(from: Place, probes: readonly Probe[]): Promise<boolean[]> {
  const sockets = probes.filter((probe) => probe.proto !== 'icmp').map(({ proto, ip, port }) => ({ proto, ip, port }));
  const output = await execa('nsenter', [`--net=${from.netns}`, process.execPath, PROBE, 'probe', JSON.stringify(sockets)], { timeout: 30_000 });
  const socketResults = JSON.parse(output.stdout) as boolean[];
  const pings = await Promise.all(probes.map((probe) => (probe.proto === 'icmp' ? ping(from.netns, probe.ip) : Promise.resolve(false))));
  let next = 0;
  return probes.map((probe, index) => (probe.proto === 'icmp' ? (pings[index] ?? false) : (socketResults[next++] ?? false)));
}

describe.each(['nftables', 'iptables'] as const)('isolation matrix with --firewall %s', (backend) => {
  let rig: DaemonRig;
  const places: Place[] = [];
  beforeAll(async () => {
    rig = await startDaemon({ prefix: 'berth-iso', args: ['--firewall', backend] });
    for (const network of NETWORKS) {
      const reply = await rig.api('POST', '/networks/create', {
        Name: network.name, EnableIPv6: true, Internal: network.internal,
        Options: network.icc ? {} : { 'com.docker.network.bridge.enable_icc': 'false' },
        IPAM: { Config: [{ Subnet: network.v4 }, { Subnet: network.v6 }] },
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    }
    for (const sandbox of SANDBOXES) {
      const reply = await rig.api('POST', '/berth/sandboxes', { Name: sandbox.name, Networks: [{ Network: sandbox.network }], Ports: sandbox.ports, Cmd: [process.execPath, PROBE, 'serve'] });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      const view = await inspect(rig, sandbox.name);
      const on = view.NetworkSettings.Networks[sandbox.network];
      places.push({ name: sandbox.name, netns: view.NetworkSettings.SandboxKey, v4: on?.IPAddress ?? '', v6: on?.GlobalIPv6Address ?? '', network: networkOf(sandbox.network) });
    }
    const router = rig.lab.router;
    for (const network of NETWORKS) {
      await rig.lab.run(router.netns, ['ip', 'route', 'add', network.v4, 'via', rig.host.ip]);
      await rig.lab.run(router.netns, ['ip', '-6', 'route', 'add', network.v6, 'via', rig.host.ip6]);
    }
    places.push({ name: 'outside', netns: router.netns.path, v4: router.ip, v6: router.ip6 });
    places.push({ name: 'host', netns: rig.host.netns.path, v4: rig.host.ip, v6: rig.host.ip6 });
    for (const netns of [router.netns, rig.host.netns]) {
      const server = rig.lab.spawn(netns, [process.execPath, PROBE, 'serve']);
      await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
    }
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  }, 60_000);

  test('ICMP, TCP and UDP over IPv4 and IPv6 between every pair of places, and to a published port, match the policy exactly', async () => {
    const wrong: string[] = [];
    let opened = 0;
    let total = 0;
    for (const from of places) {
      const probes: Probe[] = [];
      for (const to of places) {
        if (to === from) continue;
        for (const ip of [to.v4, to.v6]) {
          probes.push({ to, proto: 'icmp', ip, port: 0 }, { to, proto: 'tcp', ip, port: ECHO.tcp }, { to, proto: 'udp', ip, port: ECHO.udp });
        }
      }
      for (const ip of [rig.host.ip, rig.host.ip6]) {
        probes.push({ to: 'published', proto: 'tcp', ip, port: PUBLISHED.tcp }, { to: 'published', proto: 'udp', ip, port: PUBLISHED.udp });
      }
      const results = await run(from, probes);
      probes.forEach((probe, index) => {
        const open = results[index] ?? false;
        const want = allowed(from, probe.to);
        total += 1;
        if (open) opened += 1;
        if (open !== want) wrong.push(`${from.name} → ${probe.to === 'published' ? 'published port' : probe.to.name} ${probe.proto} ${probe.ip}${probe.port === 0 ? '' : ` port ${String(probe.port)}`}: ${open ? 'open' : 'closed'}, want ${want ? 'open' : 'closed'}`);
      });
    }
    console.log(`isolation matrix (${backend}): ${String(total)} probes, ${String(opened)} open`);
    expect(wrong).toEqual([]);
  }, 300_000);

  test('hairpin mode is put back on every bridge port by a restart (ports made before berth set it)', async () => {
    const red1 = places.find((place) => place.name === 'red1');
    if (red1 === undefined) throw new Error('no red1');
    const ports = (await rig.lab.run(rig.host.netns, ['bridge', '-d', 'link', 'show'])).split('\n').flatMap((line) => /^\d+: (veth[0-9a-f]+)@/.exec(line)?.[1] ?? []);
    expect(ports.length).toBe(SANDBOXES.length);
    for (const port of ports) await rig.lab.run(rig.host.netns, ['bridge', 'link', 'set', 'dev', port, 'hairpin', 'off']);
    const own = { to: 'published' as const, proto: 'tcp' as const, ip: rig.host.ip, port: PUBLISHED.tcp };
    expect(await run(red1, [own])).toEqual([false]);
    await rig.kill();
    await rig.start();
    expect((await rig.lab.run(rig.host.netns, ['bridge', '-d', 'link', 'show'])).match(/hairpin on/g)).toHaveLength(SANDBOXES.length);
    expect(await run(red1, [own])).toEqual([true]);
  }, 60_000);
});
