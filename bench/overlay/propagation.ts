/**
 * bench/overlay, propagation section: how long after host 2 acknowledges the connect of a new
 * endpoint (and after the request was sent) a sandbox on host 1 gets an answer to ping from it. Host 2 has no other member of the
 * network, so nothing on host 1 leads there before host 1's etcd watch delivers the new peer
 * (FDB entry, all-zeros flood entry to host 2's VTEP, neighbour entry).
 *
 * The pinger runs before the connect, in the probe sandbox on host 1:
 * `ping -D -c 1 -w 5 -i 0.01 IP` (an echo every 10 ms until the first reply, bounded at 5 s);
 * the reply's `-D` wall-clock stamp minus the wall-clock moment the connect call returned (or
 * was sent) is one sample. The endpoint's address is chosen in the connect (a fresh one each round), and the
 * probe sandbox's ARP retransmit time is 10 ms with 1000 tries (`net.ipv4.neigh.eth0.*`, set in
 * that sandbox's namespace only): with the default 1 s an ARP request lost before the path
 * existed would delay the answer by up to a second, measuring the ARP timer, not berth.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRig } from '../../src/lab/index.js';
import { api, epochMs, median, percentile, sandboxOn, until, vxlanFdb } from './common.js';

const NETWORK = 'ovp';
const SUBNET_PREFIX = '10.83.0';

/**
 * Starts the pinger, runs `act` while it pings, and returns the first reply's wall-clock time
 * (ms since the epoch, from `ping -D`).
 */
async function pingAround(rig: ClusterRig, init: { readonly netnsPath: string; readonly ip: string; readonly act: () => Promise<void> }): Promise<number> {
  const child = rig.lab.spawn({ path: init.netnsPath }, ['ping', '-D', '-n', '-c', '1', '-w', '5', '-i', '0.01', init.ip]);
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.resume();
  const done = once(child, 'exit').then(() => {
    const stamp = /^\[(\d+\.\d+)\] \d+ bytes from/m.exec(output.join(''))?.[1];
    if (stamp === undefined) throw new Error(`no answer from ${init.ip} within 5 s: ${output.join('')}`);
    return Number(stamp) * 1000;
  });
  // Awaited below; until then a failed ping must not count as an unhandled rejection.
  done.catch(() => undefined);
  try {
    await init.act();
    return await done;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function propagationSection(rig: ClusterRig, rounds: number): Promise<string[]> {
  const [one, two] = [rig.node(0), rig.node(1)];
  const created = (await api(one)('POST', '/networks/create', { Name: NETWORK, Driver: 'overlay', Attachable: true, IPAM: { Config: [{ Subnet: `${SUBNET_PREFIX}.0/24` }] } })) as { Id: string };
  await until(`${NETWORK} on ${two.host.name}`, async () => (await two.api('GET', `/networks/${NETWORK}`)).status === 200);
  await api(one)('POST', '/berth/sandboxes', { Name: 'ping-probe', Networks: [{ Network: NETWORK }] });
  await api(two)('POST', '/berth/sandboxes', { Name: 'newcomer' });
  const probe = await sandboxOn(one, { sandbox: 'ping-probe' });
  // ARP every 10 ms and never give up within the 5 s of a round (no FAILED state, whose
  // "host unreachable" errors would end `ping -c 1` early): in the probe's namespace only.
  await rig.lab.run(probe.netns, ['sysctl', '-qw', 'net.ipv4.neigh.eth0.retrans_time_ms=10', 'net.ipv4.neigh.eth0.mcast_solicit=1000']);
  const fromAck: number[] = [];
  const fromRequest: number[] = [];
  const connects: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const ip = `${SUBNET_PREFIX}.${100 + round}`;
    let sent = Number.NaN;
    let acknowledged = Number.NaN;
    const answered = await pingAround(rig, {
      netnsPath: probe.netns.path,
      ip,
      act: async () => {
        // Let the pinger start (and fail to reach anything) before the endpoint exists.
        await sleep(150);
        sent = epochMs();
        await api(two)('POST', `/networks/${NETWORK}/connect`, { Container: 'newcomer', EndpointConfig: { IPAMConfig: { IPv4Address: ip } } });
        acknowledged = epochMs();
      },
    });
    connects.push(acknowledged - sent);
    fromAck.push(answered - acknowledged);
    fromRequest.push(answered - sent);
    await api(two)('POST', `/networks/${NETWORK}/disconnect`, { Container: 'newcomer' });
    // Back to "host 2 has no member": host 1 has dropped host 2's entries before the next round.
    await until('host 2 gone from host 1 FDB', async () => !(await vxlanFdb(one, created.Id)).includes(`dst ${two.host.ip}`), 10_000);
  }
  const row = (label: string, samples: readonly number[]): string =>
    `| ${label} | ${median(samples).toFixed(1)} ms | ${percentile(samples, 95).toFixed(1)} ms | ${Math.min(...samples).toFixed(1)} ms | ${Math.max(...samples).toFixed(1)} ms | ${samples.map((ms) => ms.toFixed(0)).join(', ')} |`;
  return [
    `## propagation: a new endpoint connected on host 2 → it answers ping from a sandbox on host 1 (${rounds} rounds; pings every 10 ms; negative = answered before host 2's API replied)`,
    '| measure | median | p95 | min | max | all (ms) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    row('connect acknowledged on host 2 → first echo reply on host 1', fromAck),
    row('connect request sent to host 2 → first echo reply on host 1', fromRequest),
    row('(the connect call on host 2 itself)', connects),
    '',
  ];
}
