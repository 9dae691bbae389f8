import { createRtNetlink } from 'netlink';
import type { RtNetlinkSocket } from 'netlink';
import { withNetns } from './netns-switch.js';

export type { RtNetlinkSocket };

/** Netlink request flags from <linux/netlink.h>. */
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

/**
 * Opens an rtnetlink socket inside the namespace at `netnsPath`. The socket is created
 * while the thread is in that namespace and stays bound to it afterwards.
 */
export function openRtnl(netnsPath: string): RtNetlinkSocket {
  return withNetns(netnsPath, () => createRtNetlink());
}

/** Closes an rtnetlink socket; safe to call twice. */
export function closeRtnl(socket: RtNetlinkSocket): void {
  try {
    socket.socket.socket.close();
  } catch {
    // already closed
  }
}
