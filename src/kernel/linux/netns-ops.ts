import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors/index.js';
import type { Netns, NetnsOps } from '../netns.js';
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, lastErrno, libc } from './libc.js';
import { errnoName } from './kernel-error.js';
import { processNetnsPath, withNetns } from './netns-switch.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Namespaces as `ip netns` makes them: an empty file with the namespace bind-mounted on it,
 * under berth's own directory (/run/berth/netns by default), so they outlive berthd.
 */
export class LinuxNetnsOps implements NetnsOps {
  readonly host: Netns;
  readonly #dir: string;

  constructor(options: { readonly dir: string; readonly host?: Netns }) {
    this.#dir = options.dir;
    this.host = options.host ?? { path: processNetnsPath() };
  }

  async create(name: string): Promise<Netns> {
    if (!NAME_PATTERN.test(name)) {
      throw new BerthError('INVALID_ARGUMENT', `network namespace name ${JSON.stringify(name)}: use 1-64 of [A-Za-z0-9_.-]`, {
        operation: 'create network namespace',
        object: name,
      });
    }
    mkdirSync(this.#dir, { recursive: true });
    const path = join(this.#dir, name);
    try {
      closeSync(openSync(path, 'wx', 0o444));
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      throw new BerthError(errno === 'EEXIST' ? 'NETNS_EXISTS' : 'KERNEL_FAILURE', `create network namespace ${path}: ${errno ?? 'failed'}`, {
        operation: 'create network namespace',
        object: path,
        ...(errno === undefined ? {} : { errno }),
        cause: error,
      });
    }
    try {
      bindNewNetns(path);
    } catch (error) {
      unlinkSync(path);
      throw error;
    }
    return { path };
  }

  async open(path: string): Promise<Netns> {
    withNetns(path, () => undefined);
    return { path };
  }

  async remove(netns: Netns): Promise<void> {
    if (libc.umount2(netns.path, MNT_DETACH) !== 0) {
      const errno = errnoName(lastErrno());
      // EINVAL: not a mount point (half-made or already unmounted); ENOENT: already gone.
      if (errno !== 'EINVAL' && errno !== 'ENOENT') {
        throw new BerthError('KERNEL_FAILURE', `remove network namespace ${netns.path}: ${errno}`, {
          operation: 'remove network namespace',
          object: netns.path,
          errno,
        });
      }
    }
    try {
      unlinkSync(netns.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return ;
  }

  async list(): Promise<readonly string[]> {
    try {
      return readdirSync(this.#dir).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

/**
 * Moves this thread into a fresh namespace, bind-mounts it on `path`, and returns to the
 * namespace the process runs in — synchronously, so nothing else runs meanwhile.
 */
function bindNewNetns(path: string): void {
  const fail = (step: string): BerthError => {
    const errno = errnoName(lastErrno());
    return new BerthError(errno === 'EPERM' ? 'PERMISSION_DENIED' : 'KERNEL_FAILURE', `create network namespace ${path}: ${step}: ${errno}`, {
      operation: 'create network namespace',
      object: path,
      errno,
    });
  };
  withNetns(processNetnsPath(), () => {
    // withNetns restores the original namespace after this block, undoing the unshare for this thread.
    if (libc.unshare(CLONE_NEWNET) !== 0) throw fail('unshare');
    if (libc.mount('/proc/thread-self/ns/net', path, 'none', MS_BIND, null) !== 0) throw fail('bind mount');
  });
}
