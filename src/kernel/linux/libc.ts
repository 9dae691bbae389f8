import koffi from 'koffi';

/** CLONE_NEWNET from <sched.h>. */
export const CLONE_NEWNET = 0x40000000;
/** Mount flags from <sys/mount.h>. */
export const MS_BIND = 0x1000;
export const MS_PRIVATE = 1 << 18;
export const MS_SHARED = 1 << 20;
export const MNT_DETACH = 2;
/** Socket constants from <sys/socket.h>. */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const ETH_P_ARP = 0x0806;

const library = koffi.load('libc.so.6');

/** The raw libc calls berth makes itself (everything else goes through Node or netlink), typed. */
export interface Libc {
  setns(fd: number, nstype: number): number;
  unshare(flags: number): number;
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Buffer, length: number): number;
  listen(fd: number, backlog: number): number;
  setsockopt(fd: number, level: number, name: number, value: Int32Array, length: number): number;
  close(fd: number): number;
  sendto(fd: number, buffer: Buffer, length: number, flags: number, address: Buffer, addressLength: number): number;
  getsockname(fd: number, address: Buffer, length: Int32Array): number;
  malloc_trim(pad: number): number;
}

function bind<T extends (...args: never[]) => number>(definition: string): T {
  const fn = library.func(definition);
  return ((...args: unknown[]) => Number(fn(...args))) as unknown as T;
}

export const libc: Libc = {
  setns: bind('int setns(int fd, int nstype)'),
  unshare: bind('int unshare(int flags)'),
  mount: bind('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: bind('int umount2(const char *target, int flags)'),
  socket: bind('int socket(int domain, int type, int protocol)'),
  bind: bind('int bind(int fd, const uint8_t *addr, uint32_t len)'),
  listen: bind('int listen(int fd, int backlog)'),
  setsockopt: bind('int setsockopt(int fd, int level, int name, const int *value, uint32_t len)'),
  close: bind('int close(int fd)'),
  sendto: bind('intptr_t sendto(int fd, const uint8_t *buf, size_t len, int flags, const uint8_t *addr, uint32_t addrlen)'),
  getsockname: bind('int getsockname(int fd, _Out_ uint8_t *addr, _Inout_ int32_t *len)'),
  malloc_trim: bind('int malloc_trim(size_t pad)'),
};

/** The errno of the last failed libc call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}
