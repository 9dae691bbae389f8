import type { Netns } from '../../netns.js';
import { firewallError } from './firewall-error.js';
import { execInNetns } from './netns-exec.js';

/**
 * `conntrack -D` for one protocol and destination port inside a namespace. conntrack exits 1
 * when nothing matched ("0 flow entries have been deleted"), which is success here.
 */
export async function flushConntrack(netns: Netns, flow: { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly port: number }): Promise<void> {
  const result = await execInNetns({ netnsPath: netns.path, argv: ['conntrack', '-D', '-p', flow.protocol, '--dport', String(flow.port)] });
  if (result.ok || /0 flow entries have been deleted/.test(result.stderr)) return;
  throw firewallError({ operation: `flush conntrack ${flow.protocol}/${flow.port}`, netnsPath: netns.path, detail: result.stderr });
}
