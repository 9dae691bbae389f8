import type { SocketOps } from '../kernel.js';
import type { Netns } from '../netns.js';
import { BerthError } from '../../errors/index.js';
import { AF_INET, AF_INET6, AF_PACKET, ETH_P_ARP, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, lastErrno, libc } from './libc.js';
import { parseMac } from './wire-format.js';

const IPPROTO_SCTP = 132;
/** <netinet/in.h>: IPPROTO_IPV6, IPV6_V6ONLY. */
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;
import { errnoName } from './kernel-error.js';
import { withNetns } from './netns-switch.js';
import { parseIp } from './wire-format.js';

/** struct sockaddr_in / sockaddr_in6 for an address and port. */
function sockaddr(ip: string, port: number): Buffer {
  const parsed = parseIp(ip, 'socket address');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BerthError('INVALID_ARGUMENT', `port ${port}: must be 0-65535`, { object: String(port) });
  }
  if (parsed.family === 4) {
    const out = Buffer.alloc(16);
    out.writeUInt16LE(AF_INET, 0);
    out.writeUInt16BE(port, 2);
    parsed.bytes.copy(out, 4);
    return out;
  }
  const out = Buffer.alloc(28);
  out.writeUInt16LE(AF_INET6, 0);
  out.writeUInt16BE(port, 2);
  parsed.bytes.copy(out, 8);
  return out;
}

interface SocketRequest {
  readonly netns: Netns;
  readonly ip: string;
  readonly port: number;
  readonly type: number;
  /** IPPROTO_* (0: the type's default). */
  readonly protocol?: number;
  /** Bind only (a port reservation): no listen for TCP. */
  readonly listen?: boolean;
}

function openBound(request: SocketRequest): number {
  const address = sockaddr(request.ip, request.port);
  const what = `${request.type === SOCK_DGRAM ? 'udp' : 'tcp'} ${request.ip}:${request.port} in ${request.netns.path}`;
  return withNetns(request.netns.path, () => {
    const fd = libc.socket(address.length === 16 ? AF_INET : AF_INET6, request.type | SOCK_CLOEXEC, request.protocol ?? 0);
    if (fd < 0) throw socketError('open socket', what);
    const one = new Int32Array([1]);
    // A reservation must not share its port: SO_REUSEADDR would let a second bound socket in.
    const reuse = request.listen !== false;
    // An IPv6 reservation holds the IPv6 port only: a dual-stack [::] socket would also take the
    // IPv4 port, which a 0.0.0.0 mapping of the same port reserves separately.
    const v6only = !reuse && address.length === 28;
    if ((reuse && libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4) !== 0)
      || (v6only && libc.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4) !== 0)
      || libc.bind(fd, address, address.length) !== 0) {
      const error = socketError('bind socket', what);
      libc.close(fd);
      throw error;
    }
    if (request.type === SOCK_STREAM && request.listen !== false && libc.listen(fd, 511) !== 0) {
      const error = socketError('listen on socket', what);
      libc.close(fd);
      throw error;
    }
    return fd;
  });
}

function socketError(operation: string, object: string): BerthError {
  const errno = errnoName(lastErrno());
  return new BerthError(errno === 'EADDRINUSE' ? 'ADDRESS_EXISTS' : errno === 'EADDRNOTAVAIL' ? 'ADDRESS_NOT_FOUND' : 'KERNEL_FAILURE',
    `${operation} ${object}: ${errno}`, { operation, object, errno });
}

/** An Ethernet frame carrying an ARP request for `ip` asked by `ip` itself: a gratuitous ARP. */
export function gratuitousArpFrame(ip: string, mac: string): Buffer {
  const sender = parseMac(mac);
  const address = parseIp(ip, 'announced address');
  if (address.family !== 4) throw new BerthError('INVALID_ARGUMENT', `gratuitous ARP needs an IPv4 address, not ${ip}`, { object: ip });
  const frame = Buffer.alloc(42);
  frame.fill(0xff, 0, 6);
  sender.copy(frame, 6);
  frame.writeUInt16BE(ETH_P_ARP, 12);
  frame.writeUInt16BE(1, 14); // hardware type Ethernet
  frame.writeUInt16BE(0x0800, 16); // protocol IPv4
  frame[18] = 6;
  frame[19] = 4;
  frame.writeUInt16BE(1, 20); // request
  sender.copy(frame, 22);
  address.bytes.copy(frame, 28);
  address.bytes.copy(frame, 38); // target protocol address = sender's: gratuitous
  return frame;
}

/** Sockets created inside a namespace and handed to Node as fds. */
export class LinuxSocketOps implements SocketOps {
  udpSocketIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number {
    return openBound({ netns, ...address, type: SOCK_DGRAM });
  }

  tcpListenerIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number {
    return openBound({ netns, ...address, type: SOCK_STREAM });
  }

  reservePort(netns: Netns, request: { readonly ip: string; readonly port: number; readonly protocol: 'tcp' | 'udp' | 'sctp' }): { readonly fd: number; readonly port: number } {
    const type = request.protocol === 'udp' ? SOCK_DGRAM : SOCK_STREAM;
    const fd = openBound({ netns, ip: request.ip, port: request.port, type, protocol: request.protocol === 'sctp' ? IPPROTO_SCTP : 0, listen: false });
    const address = Buffer.alloc(28);
    const length = new Int32Array([address.length]);
    if (libc.getsockname(fd, address, length) !== 0) {
      const error = socketError('read bound port of', `${request.ip}:${request.port}`);
      libc.close(fd);
      throw error;
    }
    return { fd, port: address.readUInt16BE(2) };
  }

  releasePort(fd: number): void {
    libc.close(fd);
  }

  sendGratuitousArp(netns: Netns, announce: { readonly ifindex: number; readonly ip: string; readonly mac: string }): void {
    const frame = gratuitousArpFrame(announce.ip, announce.mac);
    // struct sockaddr_ll: family, protocol (be), ifindex, hatype, pkttype, halen, addr[8]
    const target = Buffer.alloc(20);
    target.writeUInt16LE(AF_PACKET, 0);
    target.writeUInt16BE(ETH_P_ARP, 2);
    target.writeInt32LE(announce.ifindex, 4);
    target[11] = 6;
    target.fill(0xff, 12, 18);
    const what = `gratuitous ARP for ${announce.ip} in ${netns.path}`;
    withNetns(netns.path, () => {
      const fd = libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ETH_P_ARP);
      if (fd < 0) throw socketError('open packet socket', what);
      try {
        if (Number(libc.sendto(fd, frame, frame.length, 0, target, target.length)) < 0) throw socketError('send', what);
      } finally {
        libc.close(fd);
      }
    });
  }
}
