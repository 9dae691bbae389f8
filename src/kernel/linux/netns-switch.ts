import { closeSync, openSync } from 'node:fs';
import { CLONE_NEWNET, lastErrno, libc } from './libc.js';
import { errnoName } from './kernel-error.js';
import { BerthError } from '../../errors/index.js';

/**
 * Runs a synchronous function with the calling (main) thread inside another network
 * namespace, then switches back. Sockets created inside stay bound to that namespace.
 *
 * Safe in Node because nothing else runs on this thread until `fn` returns; libuv's pool
 * threads keep their own namespace. Never pass a function that awaits: the switch-back
 * happens when it returns, not when its promise settles (CNI pkg/ns/README.md's trap).
 */
let originalFd: number | undefined;

function original(): number {
  originalFd ??= openSync('/proc/thread-self/ns/net', 'r');
  return originalFd;
}

/** Opens a namespace file for reading, with NETNS_NOT_FOUND naming the path if it cannot. */
export function openNetnsFd(netnsPath: string): number {
  try {
    return openSync(netnsPath, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new BerthError('NETNS_NOT_FOUND', `open network namespace ${netnsPath}: ${code}`, {
      operation: 'open network namespace',
      object: netnsPath,
      errno: code,
      cause: error,
    });
  }
}

function enter(fd: number, netnsPath: string): void {
  if (libc.setns(fd, CLONE_NEWNET) !== 0) {
    const errno = errnoName(lastErrno());
    throw new BerthError(errno === 'EINVAL' ? 'NETNS_NOT_FOUND' : 'KERNEL_FAILURE',
      `enter network namespace ${netnsPath}: ${errno}${errno === 'EINVAL' ? ' (not a network namespace)' : ''}`,
      { operation: 'enter network namespace', object: netnsPath, errno });
  }
}

/** Runs `fn` inside the namespace at `netnsPath` and returns its result. */
export function withNetns<T>(netnsPath: string, fn: () => T): T {
  const home = original();
  const fd = openNetnsFd(netnsPath);
  try {
    enter(fd, netnsPath);
    try {
      return fn();
    } finally {
      // Failing to get back would leave berthd acting in the wrong namespace: never continue.
      if (libc.setns(home, CLONE_NEWNET) !== 0) {
        process.stderr.write(`berth: fatal: cannot return to the original network namespace (${errnoName(lastErrno())})\n`);
        process.abort();
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The path of the namespace the process started in, as seen through its pid. */
export function processNetnsPath(): string {
  return `/proc/${process.pid}/ns/net`;
}
