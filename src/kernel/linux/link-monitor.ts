import { createNetlink } from 'netlink';
import type { NetlinkMessage } from 'netlink';
import { withNetns } from './netns-switch.js';

const NETLINK_ROUTE = 0;
const RTNLGRP_LINK = 1;
const RTM_DELLINK = 17;

/**
 * Calls `onRemoved` whenever a link is deleted in the namespace at `netnsPath` (rtnetlink
 * RTM_DELLINK notifications of the RTNLGRP_LINK group, as `ip monitor link` reads them), and
 * `onLost` when notifications were dropped. Returns a function that stops listening.
 */
export function monitorLinkRemovals(init: { readonly netnsPath: string; readonly onRemoved: () => void; readonly onLost: (error: Error) => void }): () => void {
  const socket = withNetns(init.netnsPath, () => createNetlink(NETLINK_ROUTE, { recvBufferSize: 1 << 20, sendBufferSize: 4096 }));
  socket.addMembership(RTNLGRP_LINK);
  socket.on('message', (messages: NetlinkMessage[]) => {
    if (messages.some((message) => message.type === RTM_DELLINK)) init.onRemoved();
  });
  socket.on('error', (error: Error) => init.onLost(error));
  socket.socket.unref();
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    try {
      socket.socket.close();
    } catch {
      // already closed
    }
  };
}
