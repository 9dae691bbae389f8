import { closeSync } from 'node:fs';
import type { LinkMessage } from 'netlink/dist/rt/structs.js';
import type { LinkChange, LinkInfo, LinkOps, LinkSpec } from '../link.js';
import { BerthError, hasCode } from '../../errors/index.js';
import { kernelCall, kernelDump } from './kernel-error.js';
import type { ErrnoCodes } from './kernel-error.js';
import { decodeLinkInfo, encodeBridgePortInfo, encodeLinkInfo } from './link-info-codec.js';
import type { LinkInfoContext } from './link-info-codec.js';
import { openNetnsFd } from './netns-switch.js';
import { NLM_F_CREATE, NLM_F_EXCL } from './rtnl.js';
import type { RtNetlinkSocket } from './rtnl.js';
import { formatMac, parseMac } from './wire-format.js';
import { u32 } from './nlattr.js';

const LINK_CODES: ErrnoCodes = { ENODEV: 'LINK_NOT_FOUND', ENOENT: 'LINK_NOT_FOUND', EEXIST: 'LINK_EXISTS' };
/** The module each link kind needs, named when the kernel says it does not support the kind. */
const KIND_MODULES: Readonly<Record<LinkSpec['kind'], string>> = {
  veth: 'veth', bridge: 'bridge', dummy: 'dummy', macvlan: 'macvlan', ipvlan: 'ipvlan', vlan: '8021q', vxlan: 'vxlan',
};
const NAME_PATTERN = /^[^\s/:]{1,15}$/;
/** IF_OPER_UP from <linux/if.h>. */
const IF_OPER_UP = 6;

function checkName(name: string, field: string): void {
  if (!NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new BerthError('INVALID_ARGUMENT', `${field} ${JSON.stringify(name)}: 1-15 characters, no spaces, '/' or ':'`, {
      object: name,
    });
  }
}

function toLinkInfo(message: LinkMessage): LinkInfo {
  const { data, attrs } = message;
  const decoded = decodeLinkInfo(attrs.linkinfo);
  const parent = attrs.link;
  return {
    index: data.index ?? 0,
    name: attrs.ifname ?? '',
    kind: decoded.kind,
    mtu: attrs.mtu ?? 0,
    mac: attrs.address === undefined ? undefined : formatMac(attrs.address),
    alias: attrs.ifalias,
    masterIndex: attrs.master,
    parentIndex: parent !== undefined && parent.length >= 4 ? parent.readUInt32LE(0) : undefined,
    up: data.flags?.up === true,
    operUp: attrs.operstate === IF_OPER_UP,
    ...(decoded.vlanId === undefined ? {} : { vlanId: decoded.vlanId }),
    ...(decoded.vni === undefined ? {} : { vni: decoded.vni }),
    ...(decoded.macvlanMode === undefined ? {} : { macvlanMode: decoded.macvlanMode }),
    ...(decoded.ipvlanMode === undefined ? {} : { ipvlanMode: decoded.ipvlanMode }),
  };
}

/** Links of one namespace, through that namespace's rtnetlink socket. */
export class LinuxLinkOps implements LinkOps {
  readonly #socket: RtNetlinkSocket;

  constructor(socket: RtNetlinkSocket) {
    this.#socket = socket;
  }

  async create(spec: LinkSpec): Promise<LinkInfo> {
    checkName(spec.name, `${spec.kind} link name`);
    if (spec.kind === 'veth') checkName(spec.peer.name, 'veth peer name');
    if (spec.kind === 'vlan' && !(Number.isInteger(spec.vlanId) && spec.vlanId >= 1 && spec.vlanId <= 4094)) {
      throw new BerthError('INVALID_ARGUMENT', `vlan id ${spec.vlanId} of ${spec.name}: must be 1-4094`, { object: spec.name });
    }
    if (spec.kind === 'vxlan' && !(Number.isInteger(spec.vni) && spec.vni >= 1 && spec.vni < 2 ** 24)) {
      throw new BerthError('INVALID_ARGUMENT', `vni ${spec.vni} of ${spec.name}: must be 1-16777215`, { object: spec.name });
    }
    const parentName = 'parent' in spec ? spec.parent : undefined;
    const parentIndex = parentName === undefined ? undefined : (await this.get(parentName)).index;
    const masterIndex = spec.master === undefined ? undefined : (await this.get(spec.master)).index;
    const fds: number[] = [];
    try {
      const peerNetnsPath = spec.kind === 'veth' ? spec.peer.netnsPath : undefined;
      const context: LinkInfoContext = {
        ...(parentIndex === undefined ? {} : { parentIndex }),
        ...(peerNetnsPath === undefined ? {} : { peerNetnsFd: track(fds, openNetnsFd(peerNetnsPath)) }),
      };
      const ownNetnsPath = spec.kind === 'macvlan' || spec.kind === 'ipvlan' ? spec.netnsPath : undefined;
      const netNsFd = ownNetnsPath === undefined ? undefined : track(fds, openNetnsFd(ownNetnsPath));
      const failure = {
        operation: `create ${spec.kind} link`, object: spec.name, codes: LINK_CODES,
        unsupportedHint: `this kernel has no ${spec.kind} support: module ${KIND_MODULES[spec.kind]} is missing`,
      };
      await kernelCall(failure, () =>
        this.#socket.newLink(
          { ...(spec.up === true ? { flags: { up: true }, change: { up: true } } : {}) },
          {
            ifname: spec.name,
            linkinfo: encodeLinkInfo(spec, context),
            ...(spec.mtu === undefined ? {} : { mtu: spec.mtu }),
            ...(spec.mac === undefined ? {} : { address: parseMac(spec.mac) }),
            ...(masterIndex === undefined ? {} : { master: masterIndex }),
            ...(parentIndex === undefined || spec.kind === 'vxlan' ? {} : { link: u32(parentIndex) }),
            ...(netNsFd === undefined ? {} : { netNsFd }),
          },
          { flags: NLM_F_CREATE | NLM_F_EXCL },
        ),
      );
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    if ((spec.kind === 'macvlan' || spec.kind === 'ipvlan') && spec.netnsPath !== undefined) {
      // Created in another namespace: it cannot be read back (or given an alias) through this socket.
      return { index: 0, name: spec.name, kind: spec.kind, mtu: spec.mtu ?? 0, mac: spec.mac, alias: undefined,
        masterIndex: undefined, parentIndex, up: spec.up === true, operUp: false,
        ...(spec.kind === 'macvlan' ? { macvlanMode: spec.mode } : { ipvlanMode: spec.mode }) };
    }
    if (spec.alias !== undefined) {
      // The kernel ignores IFLA_IFALIAS on RTM_NEWLINK; set it after, and undo the link if that fails.
      try {
        await this.set(spec.name, { alias: spec.alias });
      } catch (error) {
        await this.remove(spec.name);
        throw error;
      }
    }
    return this.get(spec.name);
  }

  async delete(name: string): Promise<void> {
    await kernelCall({ operation: 'delete link', object: name, codes: LINK_CODES }, () =>
      this.#socket.delLink({}, { ifname: name }),
    );
  }

  async remove(name: string): Promise<void> {
    try {
      await this.delete(name);
    } catch (error) {
      if (!hasCode(error, 'LINK_NOT_FOUND')) throw error;
    }
  }

  async get(name: string): Promise<LinkInfo> {
    const [message] = await kernelCall({ operation: 'get link', object: name, codes: LINK_CODES }, () =>
      this.#socket.getLink({}, { ifname: name }),
    );
    if (message === undefined || message.kind !== 'link') {
      throw new BerthError('LINK_NOT_FOUND', `get link ${name}: ENODEV`, { operation: 'get link', object: name, errno: 'ENODEV' });
    }
    return toLinkInfo(message);
  }

  async find(name: string): Promise<LinkInfo | undefined> {
    try {
      return await this.get(name);
    } catch (error) {
      if (hasCode(error, 'LINK_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async list(): Promise<readonly LinkInfo[]> {
    const messages = await kernelDump({ operation: 'list links', object: 'all' }, () => this.#socket.getLinks());
    return messages.filter((message): message is LinkMessage => message.kind === 'link').map(toLinkInfo);
  }

  async set(name: string, change: LinkChange): Promise<void> {
    const link = await this.get(name);
    const masterIndex = change.master === undefined ? undefined : change.master === null ? 0 : (await this.get(change.master)).index;
    if (change.name !== undefined) checkName(change.name, 'new link name');
    const linkChanged = Object.keys(change).some((key) => key !== 'hairpin');
    if (linkChanged) await kernelCall({ operation: 'set link', object: name, codes: LINK_CODES }, () =>
      this.#socket.setLink(
        {
          index: link.index,
          ...(change.up === undefined ? {} : { flags: change.up ? { up: true } : {}, change: { up: true } }),
        },
        {
          ...(change.mtu === undefined ? {} : { mtu: change.mtu }),
          ...(change.mac === undefined ? {} : { address: parseMac(change.mac) }),
          ...(change.alias === undefined ? {} : { ifalias: change.alias }),
          ...(masterIndex === undefined ? {} : { master: masterIndex }),
          ...(change.name === undefined ? {} : { ifname: change.name }),
        },
      ),
    );
    if (change.hairpin !== undefined) {
      // Bridge port settings travel in IFLA_LINKINFO, which only RTM_NEWLINK (on an existing link,
      // without NLM_F_CREATE) applies; RTM_SETLINK ignores it.
      const hairpin = change.hairpin;
      await kernelCall({ operation: 'set bridge port', object: name, codes: LINK_CODES }, () =>
        this.#socket.newLink({ index: link.index }, { linkinfo: encodeBridgePortInfo({ hairpin }) }),
      );
    }
  }

  async moveToNetns(name: string, target: { readonly netnsPath: string; readonly newName?: string }): Promise<void> {
    const link = await this.get(name);
    if (target.newName !== undefined) checkName(target.newName, 'new link name');
    const fd = openNetnsFd(target.netnsPath);
    try {
      await kernelCall({ operation: `move link to ${target.netnsPath}`, object: name, codes: LINK_CODES }, () =>
        this.#socket.setLink(
          { index: link.index },
          { netNsFd: fd, ...(target.newName === undefined ? {} : { ifname: target.newName }) },
        ),
      );
    } finally {
      closeSync(fd);
    }
  }
}

function track(fds: number[], fd: number): number {
  fds.push(fd);
  return fd;
}
