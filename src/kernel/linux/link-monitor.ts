import { createNetlink } from 'netlink';
import type { NetlinkMessage } from 'netlink';
import { NETLINK_RECEIVE_BUFFER, createNetlinkSafely } from './netlink-overflow.js';
import { withNetns } from './netns-switch.js';
import { lost } from './nft-monitor.js';

const NETLINK_ROUTE = 0;
const RTNLGRP_LINK = 1;
const RTM_DELLINK = 17;

/**
 * Calls `onRemoved` whenever a link is deleted in the namespace at `netnsPath` (rtnetlink
 * RTM_DELLINK notifications of the RTNLGRP_LINK group, as `ip monitor link` reads them), and
 * `onLost` when notifications were dropped. Returns a function that stops listening.
 */
export function monitorLinkRemovals(init: { readonly netnsPath: string; readonly onRemoved: () => void; readonly onLost: (error: Error) => void }): () => void {
  const socket = withNetns(init.netnsPath, () => createNetlinkSafely(() => createNetlink(NETLINK_ROUTE, { recvBufferSize: NETLINK_RECEIVE_BUFFER, sendBufferSize: 4096 }), NETLINK_RECEIVE_BUFFER));
  socket.addMembership(RTNLGRP_LINK);
  // Inside the package's native read callback a throw would abort the process (see nft-monitor.ts).
  socket.on('message', (messages: NetlinkMessage[]) => {
    try {
      if (messages.some((message) => message.type === RTM_DELLINK)) init.onRemoved();
    } catch (error) {
      lost(init.onLost, error);
    }
  });
  socket.on('error', (error: Error) => lost(init.onLost, error));
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
