import type { SocketOps } from '../kernel.js';
import type { Netns } from '../netns.js';
import { BerthError } from '../../errors/index.js';
import { AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, lastErrno, libc } from './libc.js';
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
}

function openBound(request: SocketRequest): number {
  const address = sockaddr(request.ip, request.port);
  const what = `${request.type === SOCK_DGRAM ? 'udp' : 'tcp'} ${request.ip}:${request.port} in ${request.netns.path}`;
  return withNetns(request.netns.path, () => {
    const fd = libc.socket(address.length === 16 ? AF_INET : AF_INET6, request.type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw socketError('open socket', what);
    const one = new Int32Array([1]);
    if (libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4) !== 0 || libc.bind(fd, address, address.length) !== 0) {
      const error = socketError('bind socket', what);
      libc.close(fd);
      throw error;
    }
    if (request.type === SOCK_STREAM && libc.listen(fd, 511) !== 0) {
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

/** Sockets created inside a namespace and handed to Node as fds. */
export class LinuxSocketOps implements SocketOps {
  udpSocketIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number {
    return openBound({ netns, ...address, type: SOCK_DGRAM });
  }

  tcpListenerIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number {
    return openBound({ netns, ...address, type: SOCK_STREAM });
  }
}
