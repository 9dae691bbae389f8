import { BerthError } from '../../../errors/index.js';
import { withNetns } from '../netns-switch.js';

/** What failed, where, and what the firewall tool said. */
export interface FirewallFailure {
  /** "apply firewall batch", "list berth firewall state", ... */
  readonly operation: string;
  readonly netnsPath: string;
  /** The nft / iptables error text. */
  readonly detail: string;
  readonly cause?: unknown;
}

/** A FIREWALL_FAILURE naming the operation, the netns path and the tool's own message. */
export function firewallError(failure: FirewallFailure): BerthError {
  const detail = failure.detail.trim() === '' ? 'unknown error' : failure.detail.trim();
  return new BerthError('FIREWALL_FAILURE', `${failure.operation} in netns ${failure.netnsPath}: ${detail}`, {
    operation: failure.operation,
    object: failure.netnsPath,
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
  });
}

/**
 * Throws NETNS_NOT_FOUND unless `netnsPath` names a network namespace we can enter. Exec transports
 * call it first so that a wrong path reads the same whichever transport is in use, rather than
 * surfacing as an nsenter message.
 */
export function assertNetns(netnsPath: string): void {
  withNetns(netnsPath, () => undefined);
}
