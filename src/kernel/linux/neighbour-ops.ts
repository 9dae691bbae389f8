import type { NeighborMessage } from 'netlink/dist/rt/structs.js';
import type { FdbEntry, FdbOps, NeighbourEntry, NeighbourOps } from '../neighbour.js';
import { hasCode } from '../../errors/index.js';
import { kernelCall, kernelDump } from './kernel-error.js';
import type { LinuxLinkOps } from './link-ops.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE } from './rtnl.js';
import type { RtNetlinkSocket } from './rtnl.js';
import { AF_INET, AF_INET6 } from './libc.js';
import { formatIp, formatMac, parseIp, parseMac } from './wire-format.js';

const AF_BRIDGE = 7;
const GONE = { ENOENT: 'NEIGHBOUR_NOT_FOUND', ESRCH: 'NEIGHBOUR_NOT_FOUND' } as const;

function neighbours(messages: readonly { kind: string }[]): NeighborMessage[] {
  return messages.filter((message): message is NeighborMessage => message.kind === 'neighbor');
}

/** Permanent ARP/NDP entries of one namespace. */
export class LinuxNeighbourOps implements NeighbourOps {
  readonly #socket: RtNetlinkSocket;
  readonly #links: LinuxLinkOps;

  constructor(socket: RtNetlinkSocket, links: LinuxLinkOps) {
    this.#socket = socket;
    this.#links = links;
  }

  async ensure(entry: NeighbourEntry): Promise<void> {
    const ip = parseIp(entry.ip, 'neighbour ip');
    const { index } = await this.#links.get(entry.link);
    await kernelCall({ operation: 'set neighbour', object: `${entry.ip} on ${entry.link}` }, () =>
      this.#socket.newNeighbor(
        { family: ip.family === 4 ? AF_INET : AF_INET6, ifindex: index, state: { permanent: true } },
        { dst: ip.bytes, lladdr: parseMac(entry.mac) },
        { flags: NLM_F_CREATE | NLM_F_REPLACE },
      ),
    );
  }

  async remove(entry: Pick<NeighbourEntry, 'link' | 'ip'>): Promise<void> {
    const ip = parseIp(entry.ip, 'neighbour ip');
    const link = await this.#links.find(entry.link);
    if (link === undefined) return;
    try {
      await kernelCall({ operation: 'remove neighbour', object: `${entry.ip} on ${entry.link}`, codes: GONE }, () =>
        this.#socket.delNeighbor({ family: ip.family === 4 ? AF_INET : AF_INET6, ifindex: link.index }, { dst: ip.bytes }),
      );
    } catch (error) {
      if (!hasCode(error, 'NEIGHBOUR_NOT_FOUND')) throw error;
    }
  }

  async list(link?: string): Promise<readonly NeighbourEntry[]> {
    const links = await this.#links.list();
    const names = new Map(links.map((entry) => [entry.index, entry.name]));
    const messages = await kernelDump({ operation: 'list neighbours', object: link ?? 'all' }, () => this.#socket.getNeighbors());
    return neighbours(messages)
      .filter((message) => message.data.family === AF_INET || message.data.family === AF_INET6)
      .filter((message) => message.attrs.dst !== undefined && message.attrs.lladdr !== undefined)
      .map((message) => ({
        link: names.get(message.data.ifindex ?? -1) ?? String(message.data.ifindex),
        ip: formatIp(message.attrs.dst ?? Buffer.alloc(0)),
        mac: formatMac(message.attrs.lladdr ?? Buffer.alloc(0)),
      }))
      .filter((entry) => link === undefined || entry.link === link);
  }
}

/**
 * Static forwarding entries. With a `destination` the entry belongs to the device itself
 * (NTF_SELF, a vxlan's MAC → remote VTEP); without, to the bridge the link is a port of (NTF_MASTER).
 */
export class LinuxFdbOps implements FdbOps {
  readonly #socket: RtNetlinkSocket;
  readonly #links: LinuxLinkOps;

  constructor(socket: RtNetlinkSocket, links: LinuxLinkOps) {
    this.#socket = socket;
    this.#links = links;
  }

  async ensure(entry: FdbEntry): Promise<void> {
    const { index } = await this.#links.get(entry.link);
    const destination = entry.destination === undefined ? undefined : parseIp(entry.destination, 'fdb destination');
    await kernelCall({ operation: 'set fdb entry', object: `${entry.mac} on ${entry.link}` }, () =>
      this.#socket.newNeighbor(
        { family: AF_BRIDGE, ifindex: index, state: { permanent: true }, flags: destination === undefined ? { master: true } : { self: true } },
        { lladdr: parseMac(entry.mac), ...(destination === undefined ? {} : { dst: destination.bytes }) },
        { flags: NLM_F_CREATE | (entry.append === true ? NLM_F_APPEND : NLM_F_REPLACE) },
      ),
    );
  }

  async remove(entry: FdbEntry): Promise<void> {
    const link = await this.#links.find(entry.link);
    if (link === undefined) return;
    const destination = entry.destination === undefined ? undefined : parseIp(entry.destination, 'fdb destination');
    try {
      await kernelCall({ operation: 'remove fdb entry', object: `${entry.mac} on ${entry.link}`, codes: GONE }, () =>
        this.#socket.delNeighbor(
          { family: AF_BRIDGE, ifindex: link.index, flags: destination === undefined ? { master: true } : { self: true } },
          { lladdr: parseMac(entry.mac), ...(destination === undefined ? {} : { dst: destination.bytes }) },
        ),
      );
    } catch (error) {
      if (!hasCode(error, 'NEIGHBOUR_NOT_FOUND')) throw error;
    }
  }

  async list(link: string): Promise<readonly FdbEntry[]> {
    const { index } = await this.#links.get(link);
    const messages = await kernelDump({ operation: 'list fdb entries', object: link }, () =>
      this.#socket.getNeighbors({ family: AF_BRIDGE }),
    );
    return neighbours(messages)
      .filter((message) => message.data.ifindex === index && message.attrs.lladdr !== undefined)
      .map((message) => ({
        link,
        mac: formatMac(message.attrs.lladdr ?? Buffer.alloc(0)),
        ...(message.attrs.dst === undefined ? {} : { destination: formatIp(message.attrs.dst) }),
      }));
  }
}
