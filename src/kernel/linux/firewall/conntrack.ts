import type { Netns } from '../../netns.js';
import { firewallError } from './firewall-error.js';
import { execInNetns } from './netns-exec.js';

/**
 * `conntrack -D` for one protocol and destination port inside a namespace, for IPv4 and IPv6
 * (conntrack only looks at IPv4 unless told `-f ipv6`). conntrack exits 1 when nothing matched
 * ("0 flow entries have been deleted"), which is success here.
 */
export async function flushConntrack(netns: Netns, flow: { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly port: number }): Promise<void> {
  for (const family of ['ipv4', 'ipv6']) {
    const result = await execInNetns({ netnsPath: netns.path, argv: ['conntrack', '-D', '-f', family, '-p', flow.protocol, '--dport', String(flow.port)] });
    if (result.ok || /0 flow entries have been deleted/.test(result.stderr)) continue;
    throw firewallError({ operation: `flush conntrack ${family} ${flow.protocol}/${flow.port}`, netnsPath: netns.path, detail: result.stderr });
  }
}
