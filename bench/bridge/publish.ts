/**
 * bench/bridge, publishing section: the cost of publishing one more port when N are already
 * published (N = 1, 100, 1000, 10 000), through berth's path (reserve the host port + one nft map
 * element) and, in the same run, Docker's iptables way (one more DNAT rule appended with an
 * iptables process). Runs as the `--worker` of main.ts inside a throwaway lab host namespace.
 */
import { execa } from 'execa';
import { LinuxSocketOps } from '../../src/kernel/linux/index.js';
import { createFirewall } from '../../src/kernel/linux/firewall/index.js';
import type { Netns } from '../../src/kernel/index.js';
import { BridgeFirewall } from '../../drivers/bridge/firewall/bridge-firewall.js';
import { median, timed as time } from './common.js';

/** The firewall's own port type (derived, so the bench does not depend on which module declares it). */
type PublishedPort = Parameters<BridgeFirewall['addPorts']>[0][number];

const SIZES = [1, 100, 1000, 10_000];
const PROBES = 20;

function port(index: number): PublishedPort {
  return { hostIp: undefined, hostPort: 10_000 + index, protocol: 'tcp', containerIp: `10.200.${Math.floor(index / 250) % 250}.${(index % 250) + 2}`, containerPort: 80 };
}

/** Publishes N ports in the current (lab host) namespace and times one more, berth's way and iptables'. */
export async function publishWorker(): Promise<void> {
  const netns: Netns = { path: `/proc/${process.pid}/ns/net` };
  const backend = createFirewall({ backend: 'nftables' });
  const firewall = new BridgeFirewall({ backend, netns });
  const sockets = new LinuxSocketOps();
  const rows: string[] = [];
  let published = 0;
  let rules = 0;
  for (const size of SIZES) {
    while (published < size) {
      const batch = Array.from({ length: Math.min(1000, size - published) }, (_, offset) => port(published + offset));
      await firewall.addPorts(batch);
      published += batch.length;
    }
    const berth: number[] = [];
    for (let probe = 0; probe < PROBES; probe += 1) {
      const extra = port(50_000 + probe);
      berth.push(await time(async () => {
        const reservation = sockets.reservePort(netns, { ip: '0.0.0.0', port: extra.hostPort, protocol: 'tcp' });
        await firewall.addPorts([extra]);
        sockets.releasePort(reservation.fd);
      }));
      await firewall.removePorts([extra]);
    }
    // Docker's way: one DNAT rule per port in the nat table, appended by an iptables process.
    while (rules < size) {
      const chunk = Array.from({ length: Math.min(1000, size - rules) }, (_, offset) => {
        const entry = port(rules + offset);
        return `-A PREROUTING -p tcp --dport ${entry.hostPort} -j DNAT --to-destination ${entry.containerIp}:80`;
      });
      await execa('iptables-restore', ['--noflush'], { input: `*nat\n${chunk.join('\n')}\nCOMMIT\n` });
      rules += chunk.length;
    }
    const docker: number[] = [];
    for (let probe = 0; probe < PROBES; probe += 1) {
      const args = ['-t', 'nat', '-p', 'tcp', '--dport', String(60_000 + probe), '-j', 'DNAT', '--to-destination', '10.200.0.2:80'];
      docker.push(await time(async () => { await execa('iptables', ['-A', 'PREROUTING', ...args]); }));
      await execa('iptables', ['-D', 'PREROUTING', ...args]);
    }
    const verdict = median(berth) < 5 ? 'yes' : 'NO';
    rows.push(`| ${size} | ${median(berth).toFixed(2)} ms | ${verdict} | ${median(docker).toFixed(2)} ms | ${(median(docker) / median(berth)).toFixed(1)}× |`);
  }
  await backend.removeOwn(netns);
  backend.close();
  process.stdout.write([
    `## publish one more port  (median of ${PROBES} probes per size; Docker reference, labs.md: 255–279 ms and growing with N)`,
    '| ports already published | publish one more (berth: reserve + 1 map element) | < 5 ms | one more iptables DNAT rule (process) | ratio |',
    '| ---: | ---: | :---: | ---: | ---: |',
    ...rows,
    '',
    '',
  ].join('\n'));
}

