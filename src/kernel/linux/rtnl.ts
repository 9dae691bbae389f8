import { createRtNetlink } from 'netlink';
import type { RtNetlinkSocket } from 'netlink';
import { KERNEL_ANSWER_TIMEOUT_MS } from './kernel-error.js';
import { NETLINK_RECEIVE_BUFFER, createNetlinkSafely } from './netlink-overflow.js';
import { withNetns } from './netns-switch.js';

export type { RtNetlinkSocket };

/** Netlink request flags from <linux/netlink.h>. */
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

/** SO_SNDBUF: requests are small. */
const SEND_BUFFER = 1 << 16;

/** What the `netlink` package keeps per request in flight (a protected field): the reply callback by sequence number. */
type PendingRequests = Map<number, (error: Error | null) => unknown>;

/**
 * Opens an rtnetlink socket inside the namespace at `netnsPath`. The socket is created
 * while the thread is in that namespace and stays bound to it afterwards.
 *
 * Overflows are made harmless (netlink-overflow.ts). Should a read still fail, the package reports
 * it as an 'error' event from inside its native read callback: without a listener the process
 * would abort, and the requests whose replies were lost would wait for ever. So every request in
 * flight is failed with the error instead: dumps are asked again (kernelDump), changes report a
 * kernel failure. A poll error makes the package close the socket; since handles (and the ops
 * bound to them) are long-lived, what is returned stands for "the namespace's current socket":
 * a socket closed that way is replaced by a new one on next use.
 */
export function openRtnl(netnsPath: string): RtNetlinkSocket {
  const state = { current: openOnce(netnsPath), released: false };
  const queue = new RequestQueue();
  const live = new Proxy(state.current, {
    get(_target, property) {
      if (!state.released && broken.has(state.current)) state.current = openOnce(netnsPath);
      const socket = state.current;
      const value: unknown = Reflect.get(socket, property, socket);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(socket);
      return typeof property === 'string' && REQUEST.test(property) ? (...args: unknown[]) => queue.run(() => method(...args)) : method;
    },
  });
  owners.set(live, state);
  return live;
}

/** The package's request methods (getLinks, newLink, delRoute, ...): each waits for an answer. */
const REQUEST = /^(get|new|del|set)[A-Z]/;

/**
 * One request at a time per socket. The kernel answers a dump in several batches, the next one
 * made only when the previous was read; an answer to another request sent meanwhile lands between
 * them, and the package then cuts the dump short ("Multipart message not terminated properly").
 * Under sustained concurrency (many API calls on one namespace) asking again was not enough.
 * The kernel serializes rtnetlink requests anyway (rtnl_lock), so queueing costs only the
 * round trip; namespaces still work in parallel.
 */
class RequestQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(request: () => T): T {
    const result = this.#tail.then(request, request) as T;
    // An answer that never comes (see netlink-overflow.ts) holds the queue no longer than callers wait.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise((resolve) => {
      timer = setTimeout(resolve, KERNEL_ANSWER_TIMEOUT_MS);
      timer.unref();
    });
    this.#tail = Promise.race([result, bound]).then(() => clearTimeout(timer), () => clearTimeout(timer));
    return result;
  }
}

/** A socket the package closed after a poll error. */
const broken = new WeakSet<RtNetlinkSocket>();
/** What openRtnl's handles stand for. */
const owners = new WeakMap<RtNetlinkSocket, { current: RtNetlinkSocket; released: boolean }>();

function openOnce(netnsPath: string): RtNetlinkSocket {
  const socket = withNetns(netnsPath, () => createNetlinkSafely(() => createRtNetlink({ recvBufferSize: NETLINK_RECEIVE_BUFFER, sendBufferSize: SEND_BUFFER }), NETLINK_RECEIVE_BUFFER));
  socket.socket.on('error', (error: Error) => {
    if ((error as NodeJS.ErrnoException).syscall === 'poll') broken.add(socket);
    failPending(socket, error);
  });
  return socket;
}

function failPending(socket: RtNetlinkSocket, error: Error): void {
  const pending = (socket.socket as unknown as { readonly requests?: PendingRequests }).requests;
  if (pending === undefined) return;
  for (const callback of [...pending.values()]) callback(error);
}

/** Closes an rtnetlink socket; safe to call twice. */
export function closeRtnl(socket: RtNetlinkSocket): void {
  const state = owners.get(socket);
  if (state !== undefined) state.released = true;
  try {
    (state?.current ?? socket).socket.socket.close();
  } catch {
    // already closed
  }
}
