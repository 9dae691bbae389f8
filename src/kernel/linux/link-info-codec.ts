import type { IpvlanMode, LinkSpec, MacvlanMode } from '../link.js';
import { be16, cstring, nested, nlattr, parseAttributes, readCstring, u16, u32, u8 } from './nlattr.js';
import { parseIp, parseMac } from './wire-format.js';

// <linux/if_link.h>
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_INFO_SLAVE_KIND = 4;
const IFLA_INFO_SLAVE_DATA = 5;
const IFLA_BRPORT_MODE = 4;
const VETH_INFO_PEER = 1;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_NET_NS_FD = 28;
const IFLA_MACVLAN_MODE = 1;
const IFLA_IPVLAN_MODE = 1;
const IFLA_VLAN_ID = 1;
const IFLA_VLAN_PROTOCOL = 5;
const ETH_P_8021Q = 0x8100;
const IFLA_VXLAN_ID = 1;
const IFLA_VXLAN_LINK = 3;
const IFLA_VXLAN_LOCAL = 4;
const IFLA_VXLAN_LEARNING = 7;
const IFLA_VXLAN_PORT = 15;
const IFLA_VXLAN_LOCAL6 = 17;
const IFINFOMSG_LENGTH = 16;
/** IANA's VXLAN port, which Docker and berth use. */
export const VXLAN_PORT = 4789;

const MACVLAN_MODES: Readonly<Record<MacvlanMode, number>> = { private: 1, vepa: 2, bridge: 4, passthru: 8 };
/** enum ipvlan_mode in <linux/if_link.h>; IFLA_IPVLAN_MODE is a u16. */
const IPVLAN_MODES: Readonly<Record<IpvlanMode, number>> = { l2: 0, l3: 1, l3s: 2 };

/** Things the codec needs resolved by the caller: link indexes and namespace fds. */
export interface LinkInfoContext {
  /** Index of `spec.parent` (macvlan, vlan, vxlan underlay). */
  readonly parentIndex?: number;
  /** Open fd of the veth peer's target namespace. */
  readonly peerNetnsFd?: number;
}

/** Encodes the payload of IFLA_LINKINFO for a link spec. */
export function encodeLinkInfo(spec: LinkSpec, context: LinkInfoContext = {}): Buffer {
  const kind = nlattr(IFLA_INFO_KIND, cstring(spec.kind));
  const data = infoData(spec, context);
  return Buffer.concat(data === undefined ? [kind] : [kind, nested(IFLA_INFO_DATA, data)]);
}

/** IFLA_LINKINFO that changes a bridge port's settings (the link must already be on a bridge). */
export function encodeBridgePortInfo(port: { readonly hairpin: boolean }): Buffer {
  return Buffer.concat([
    nlattr(IFLA_INFO_SLAVE_KIND, cstring('bridge')),
    nested(IFLA_INFO_SLAVE_DATA, [nlattr(IFLA_BRPORT_MODE, u8(port.hairpin ? 1 : 0))]),
  ]);
}

function infoData(spec: LinkSpec, context: LinkInfoContext): Buffer[] | undefined {
  switch (spec.kind) {
    case 'bridge':
    case 'dummy':
      return undefined;
    case 'veth': {
      const attributes = [nlattr(IFLA_IFNAME, cstring(spec.peer.name))];
      if (spec.peer.mac !== undefined) attributes.push(nlattr(IFLA_ADDRESS, parseMac(spec.peer.mac)));
      if (spec.peer.mtu !== undefined) attributes.push(nlattr(IFLA_MTU, u32(spec.peer.mtu)));
      if (context.peerNetnsFd !== undefined) attributes.push(nlattr(IFLA_NET_NS_FD, u32(context.peerNetnsFd)));
      return [nlattr(VETH_INFO_PEER, Buffer.concat([Buffer.alloc(IFINFOMSG_LENGTH), ...attributes]))];
    }
    case 'macvlan':
      return [nlattr(IFLA_MACVLAN_MODE, u32(MACVLAN_MODES[spec.mode]))];
    case 'ipvlan':
      return [nlattr(IFLA_IPVLAN_MODE, u16(IPVLAN_MODES[spec.mode]))];
    case 'vlan':
      return [nlattr(IFLA_VLAN_ID, u16(spec.vlanId)), nlattr(IFLA_VLAN_PROTOCOL, be16(ETH_P_8021Q))];
    case 'vxlan': {
      const attributes = [
        nlattr(IFLA_VXLAN_ID, u32(spec.vni)),
        nlattr(IFLA_VXLAN_PORT, be16(spec.port ?? VXLAN_PORT)),
        nlattr(IFLA_VXLAN_LEARNING, u8(spec.learning === true ? 1 : 0)),
      ];
      if (context.parentIndex !== undefined) attributes.push(nlattr(IFLA_VXLAN_LINK, u32(context.parentIndex)));
      if (spec.local !== undefined) {
        const local = parseIp(spec.local, 'vxlan local address');
        attributes.push(nlattr(local.family === 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, local.bytes));
      }
      return attributes;
    }
  }
}

/** Kind-specific facts read back from IFLA_LINKINFO. */
export interface DecodedLinkInfo {
  readonly kind: string | undefined;
  readonly vlanId?: number;
  readonly vni?: number;
  readonly macvlanMode?: MacvlanMode;
  readonly ipvlanMode?: IpvlanMode;
}

/** Decodes IFLA_LINKINFO as the kernel reports it. */
export function decodeLinkInfo(linkinfo: Buffer | undefined): DecodedLinkInfo {
  if (linkinfo === undefined) return { kind: undefined };
  const top = parseAttributes(linkinfo);
  const kindPayload = top.get(IFLA_INFO_KIND);
  const kind = kindPayload === undefined ? undefined : readCstring(kindPayload);
  const dataPayload = top.get(IFLA_INFO_DATA);
  if (dataPayload === undefined) return { kind };
  const data = parseAttributes(dataPayload);
  if (kind === 'vlan') {
    const id = data.get(IFLA_VLAN_ID);
    return id === undefined ? { kind } : { kind, vlanId: id.readUInt16LE(0) };
  }
  if (kind === 'vxlan') {
    const id = data.get(IFLA_VXLAN_ID);
    return id === undefined ? { kind } : { kind, vni: id.readUInt32LE(0) };
  }
  if (kind === 'macvlan') {
    const mode = data.get(IFLA_MACVLAN_MODE)?.readUInt32LE(0);
    const name = (Object.keys(MACVLAN_MODES) as MacvlanMode[]).find((key) => MACVLAN_MODES[key] === mode);
    return name === undefined ? { kind } : { kind, macvlanMode: name };
  }
  if (kind === 'ipvlan') {
    const mode = data.get(IFLA_IPVLAN_MODE)?.readUInt16LE(0);
    const name = (Object.keys(IPVLAN_MODES) as IpvlanMode[]).find((key) => IPVLAN_MODES[key] === mode);
    return name === undefined ? { kind } : { kind, ipvlanMode: name };
  }
  return { kind };
}
