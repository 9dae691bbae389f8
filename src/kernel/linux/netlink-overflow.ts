import { readdirSync } from 'node:fs';
import { libc } from './libc.js';

const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
const NETLINK_NO_ENOBUFS = 5;
const AF_NETLINK = 16;

/** Receive buffer of berth's netlink sockets: room for bursts of notifications and concurrent dumps. */
export const NETLINK_RECEIVE_BUFFER = 4 << 20;

/**
 * Creates a socket of the `netlink` package with `create` and makes receive-buffer overflows
 * harmless for it.
 *
 * When a netlink socket's buffer overflows, the kernel drops the message and flags the socket
 * with ENOBUFS, which libuv reports as a poll error; the package (1.x) then builds its error with
 * a NULL syscall name, which throws inside its native poll handler and aborts the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'"). A mass removal (hundreds of
 * link and nf_tables notifications at once) is enough to trigger it. So every netlink socket berth
 * opens gets NETLINK_NO_ENOBUFS (an overflow then only drops messages: monitors fall back on
 * their periodic checks, and requests are bounded by a timeout) and a receive buffer of
 * `receiveBuffer` bytes even above net.core.rmem_max (SO_RCVBUFFORCE; berthd runs as root).
 *
 * The package does not expose its file descriptor, so the new descriptors that appeared while
 * `create` ran and are netlink sockets are the ones changed. Returns what `create` returned.
 */
export function createNetlinkSafely<T>(create: () => T, receiveBuffer: number): T {
  const before = new Set(openDescriptors());
  const socket = create();
  for (const fd of openDescriptors()) {
    if (before.has(fd) || !isNetlinkSocket(fd)) continue;
    libc.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, Int32Array.of(1), 4);
    libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, Int32Array.of(receiveBuffer), 4);
  }
  return socket;
}

function openDescriptors(): number[] {
  try {
    return readdirSync('/proc/self/fd').map(Number);
  } catch {
    return [];
  }
}

function isNetlinkSocket(fd: number): boolean {
  const address = Buffer.alloc(128);
  const length = Int32Array.of(address.length);
  return libc.getsockname(fd, address, length) === 0 && address.readUInt16LE(0) === AF_NETLINK;
}
