import type { AddressMessage } from 'netlink/dist/rt/structs.js';
import type { AddressInfo, AddressOps } from '../address.js';
import { hasCode } from '../../errors/index.js';
import { kernelCall, kernelDump } from './kernel-error.js';
import type { LinuxLinkOps } from './link-ops.js';
import { NLM_F_CREATE, NLM_F_EXCL } from './rtnl.js';
import type { RtNetlinkSocket } from './rtnl.js';
import { AF_INET, AF_INET6 } from './libc.js';
import { formatIp, parseIp } from './wire-format.js';

/** Interface addresses of one namespace. */
export class LinuxAddressOps implements AddressOps {
  readonly #socket: RtNetlinkSocket;
  readonly #links: LinuxLinkOps;

  constructor(socket: RtNetlinkSocket, links: LinuxLinkOps) {
    this.#socket = socket;
    this.#links = links;
  }

  async add(link: string, cidr: string, options: { readonly noDad?: boolean } = {}): Promise<void> {
    const ip = parseIp(cidr, 'address');
    const { index } = await this.#links.get(link);
    await kernelCall({ operation: 'add address', object: `${cidr} on ${link}`, codes: { EEXIST: 'ADDRESS_EXISTS' } }, () =>
      this.#socket.newAddress(
        { family: ip.family === 4 ? AF_INET : AF_INET6, prefixlen: ip.prefixLength, index, ...(options.noDad === true ? { flags: { nodad: true } } : {}) },
        { local: ip.bytes, address: ip.bytes },
        { flags: NLM_F_CREATE | NLM_F_EXCL },
      ),
    );
  }

  async remove(link: string, cidr: string): Promise<void> {
    const ip = parseIp(cidr, 'address');
    const found = await this.#links.find(link);
    if (found === undefined) return;
    try {
      await kernelCall({ operation: 'remove address', object: `${cidr} on ${link}`, codes: { EADDRNOTAVAIL: 'ADDRESS_NOT_FOUND', ENOENT: 'ADDRESS_NOT_FOUND' } }, () =>
        this.#socket.delAddress(
          { family: ip.family === 4 ? AF_INET : AF_INET6, prefixlen: ip.prefixLength, index: found.index },
          { local: ip.bytes, address: ip.bytes },
        ),
      );
    } catch (error) {
      if (!hasCode(error, 'ADDRESS_NOT_FOUND')) throw error;
    }
  }

  async list(link?: string): Promise<readonly AddressInfo[]> {
    const links = await this.#links.list();
    const names = new Map(links.map((entry) => [entry.index, entry.name]));
    const messages = await kernelDump({ operation: 'list addresses', object: link ?? 'all' }, () => this.#socket.getAddresses());
    return messages
      .filter((message): message is AddressMessage => message.kind === 'address')
      .map((message) => {
        const bytes = message.attrs.local ?? message.attrs.address ?? Buffer.alloc(0);
        return {
          link: names.get(message.data.index ?? -1) ?? String(message.data.index),
          cidr: `${formatIp(bytes)}/${message.data.prefixlen ?? 0}`,
          family: message.data.family === AF_INET6 ? 6 : 4,
        } satisfies AddressInfo;
      })
      .filter((entry) => link === undefined || entry.link === link);
  }
}
