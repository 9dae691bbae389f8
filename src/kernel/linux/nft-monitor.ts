import { createNetlink } from 'netlink';
import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import { parseAttributes, readCstring } from './nlattr.js';
import { NETLINK_RECEIVE_BUFFER, createNetlinkSafely } from './netlink-overflow.js';
import { withNetns } from './netns-switch.js';

/**
 * nf_tables change notifications, as `nft monitor` reads them: a NETLINK_NETFILTER socket
 * subscribed to NFNLGRP_NFTABLES. The kernel sends one message per object created or deleted by
 * any program (nft, iptables-nft, firewalld, berth itself) in the socket's namespace, then one
 * NEWGEN per committed transaction. berth only needs to know *that* something of its own may
 * have changed, so a message is reduced to its verb, object kind and table/chain names.
 */
const NETLINK_NETFILTER = 12;
const NFNLGRP_NFTABLES = 7;
const NFNL_SUBSYS_NFTABLES = 10;
/** struct nfgenmsg: family, version, res_id. */
const NFGENMSG_LEN = 4;

/** NFT_MSG_* (linux/netfilter/nf_tables.h) → what changed. */
const MESSAGES: ReadonlyMap<number, { readonly verb: NftChangeVerb; readonly object: NftObjectKind }> = new Map([
  [0, { verb: 'new', object: 'table' }], [2, { verb: 'del', object: 'table' }],
  [3, { verb: 'new', object: 'chain' }], [5, { verb: 'del', object: 'chain' }],
  [6, { verb: 'new', object: 'rule' }], [8, { verb: 'del', object: 'rule' }],
  [9, { verb: 'new', object: 'set' }], [11, { verb: 'del', object: 'set' }],
  [12, { verb: 'new', object: 'element' }], [14, { verb: 'del', object: 'element' }],
  [15, { verb: 'new', object: 'generation' }],
  [18, { verb: 'new', object: 'object' }], [20, { verb: 'del', object: 'object' }],
  [22, { verb: 'new', object: 'flowtable' }], [24, { verb: 'del', object: 'flowtable' }],
]);

export type NftChangeVerb = 'new' | 'del';
export type NftObjectKind = 'table' | 'chain' | 'rule' | 'set' | 'element' | 'generation' | 'object' | 'flowtable';

/** One nf_tables notification. `table` is the table's name (no family); `chain` for chains and rules. */
export interface NftChange {
  readonly verb: NftChangeVerb;
  readonly object: NftObjectKind;
  /** NFPROTO_*: 1 inet, 2 ip, 10 ip6, ... */
  readonly family: number;
  readonly table?: string;
  readonly chain?: string;
  /** Of a generation (the end of a transaction): the process that committed it (NFTA_GEN_PROC_PID). */
  readonly pid?: number;
}

/** Decodes one netlink message of the nftables group; undefined for anything else. */
export function decodeNftChange(message: { readonly type: number; readonly data: Buffer }): NftChange | undefined {
  if (message.type >> 8 !== NFNL_SUBSYS_NFTABLES) return undefined;
  const kind = MESSAGES.get(message.type & 0xff);
  if (kind === undefined || message.data.length < NFGENMSG_LEN) return undefined;
  const family = message.data.readUInt8(0);
  const attributes = parseAttributes(message.data.subarray(NFGENMSG_LEN));
  const name = (type: number): string | undefined => {
    const payload = attributes.get(type);
    return payload === undefined ? undefined : readCstring(payload);
  };
  // Attribute 1 is the table's name in every message kind with a table (NFTA_TABLE_NAME,
  // NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE, NFTA_SET_ELEM_LIST_TABLE, ...).
  const table = kind.object === 'generation' ? undefined : name(1);
  // The chain: NFTA_CHAIN_NAME (3) of a chain, NFTA_RULE_CHAIN (2) of a rule.
  const chain = kind.object === 'chain' ? name(3) : kind.object === 'rule' ? name(2) : undefined;
  const pidAttribute = kind.object === 'generation' ? attributes.get(2) : undefined;
  const pid = pidAttribute !== undefined && pidAttribute.length >= 4 ? pidAttribute.readUInt32BE(0) : undefined;
  return { ...kind, family, ...(table === undefined ? {} : { table }), ...(chain === undefined ? {} : { chain }), ...(pid === undefined ? {} : { pid }) };
}

/** A running subscription; `close` is idempotent. */
export interface NftMonitor {
  close(): void;
}

/**
 * Subscribes to nf_tables notifications in the namespace at `netnsPath` (the socket is made
 * inside it, so it hears that namespace's changes for good). `onLost` is called when the socket
 * failed or a notification could not be handled, so the caller re-checks everything instead of
 * trusting the events it got. Notifications dropped by a full buffer are not reported (see
 * netlink-overflow.ts): the caller's periodic check covers them.
 */
export function monitorNftables(init: {
  readonly netnsPath: string;
  readonly onChange: (change: NftChange) => void;
  readonly onLost: (error: Error) => void;
}): NftMonitor {
  const socket: NetlinkSocket = withNetns(init.netnsPath, () => createNetlinkSafely(() => createNetlink(NETLINK_NETFILTER, { recvBufferSize: NETLINK_RECEIVE_BUFFER, sendBufferSize: 4096 }), NETLINK_RECEIVE_BUFFER));
  socket.addMembership(NFNLGRP_NFTABLES);
  // These run inside the package's native read callback, where a throw would abort the process:
  // a message that cannot be decoded or a failing handler counts as lost notifications instead.
  socket.on('message', (messages: NetlinkMessage[]) => {
    try {
      for (const message of messages) {
        const change = decodeNftChange(message);
        if (change !== undefined) init.onChange(change);
      }
    } catch (error) {
      lost(init.onLost, error);
    }
  });
  socket.on('error', (error: Error) => lost(init.onLost, error));
  // A monitor must not keep the process alive on its own.
  socket.socket.unref();
  let closed = false;
  return {
    close: () => {
      if (closed) return;
      closed = true;
      try {
        socket.socket.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Calls `onLost` without letting it throw into the native callback that delivered the error. */
export function lost(onLost: (error: Error) => void, error: unknown): void {
  try {
    onLost(error instanceof Error ? error : new Error(String(error)));
  } catch {
    // Nothing more can be done from here; the periodic check still runs.
  }
}
