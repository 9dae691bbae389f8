import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { SysctlOps } from '../sysctl.js';
import { BerthError } from '../../errors/index.js';
import { withNetns } from './netns-switch.js';

const SEGMENT = /^[A-Za-z0-9_.:@-]+$/;

/**
 * "net.ipv4.ip_forward" → "net/ipv4/ip_forward". Keys holding interface names with dots
 * (eth0.100) are written with slashes: "net/ipv6/conf/eth0.100/accept_dad".
 */
export function sysctlPath(key: string): string {
  const segments = key.includes('/') ? key.split('/') : key.split('.');
  if (segments[0] !== 'net' || segments.length < 3 || segments.some((part) => !SEGMENT.test(part) || part === '..' || part === '.')) {
    throw new BerthError('INVALID_ARGUMENT', `sysctl key ${JSON.stringify(key)}: only net.* keys (per namespace) are allowed`, { object: key });
  }
  return `/proc/sys/${segments.join('/')}`;
}

/**
 * Sysctls of one namespace. /proc/sys/net shows the namespace of the thread that opens
 * the file, so the file is opened inside the namespace and read or written after.
 */
export class LinuxSysctlOps implements SysctlOps {
  readonly #netnsPath: string;

  constructor(netnsPath: string) {
    this.#netnsPath = netnsPath;
  }

  #open(key: string, flags: 'r' | 'w'): number {
    const path = sysctlPath(key);
    return withNetns(this.#netnsPath, () => {
      try {
        return openSync(path, flags);
      } catch (error) {
        const errno = (error as NodeJS.ErrnoException).code ?? 'failed';
        throw new BerthError(errno === 'ENOENT' ? 'SYSCTL_NOT_FOUND' : errno === 'EACCES' ? 'PERMISSION_DENIED' : 'KERNEL_FAILURE',
          `${flags === 'r' ? 'read' : 'set'} sysctl ${key} in ${this.#netnsPath}: ${errno}`,
          { operation: flags === 'r' ? 'read sysctl' : 'set sysctl', object: key, errno, cause: error });
      }
    });
  }

  async get(key: string): Promise<string> {
    const fd = this.#open(key, 'r');
    try {
      const buffer = Buffer.alloc(4096);
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      return buffer.subarray(0, length).toString('utf8').trim();
    } finally {
      closeSync(fd);
    }
  }

  async set(key: string, value: string): Promise<void> {
    const fd = this.#open(key, 'w');
    try {
      writeSync(fd, value);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code ?? 'failed';
      throw new BerthError(errno === 'EINVAL' ? 'INVALID_ARGUMENT' : 'KERNEL_FAILURE', `set sysctl ${key}=${value} in ${this.#netnsPath}: ${errno}`, {
        operation: 'set sysctl', object: key, errno, cause: error,
      });
    } finally {
      closeSync(fd);
    }
    return ;
  }
}
