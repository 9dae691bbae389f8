import type { SystemResetHook } from '../api/index.js';
import type { Logger, NetworkController } from '../controller/index.js';
import type { DriverNetwork, NetworkDriver } from '../driver-api/index.js';
import type { FirewallBackend, Netns } from '../kernel/index.js';
import type { NetworkRecord } from '../store/index.js';

/** What the daemon's part of a system reset needs. */
export interface SystemResetOptions {
  readonly controller: NetworkController;
  readonly drivers: readonly NetworkDriver[];
  readonly firewall: FirewallBackend;
  readonly hostNetns: Netns;
  readonly log: Logger;
  /** Stops berthd; its shutdown calls `cleanUp` once the repair loops are off. */
  readonly stop: () => void;
}

/** The hook for the API, and what berthd's shutdown awaits. */
export interface SystemReset {
  readonly hook: SystemResetHook;
  /** After a reset: removes the predefined networks' kernel objects and berth's firewall tables; otherwise nothing. */
  cleanUp(): Promise<void>;
}

/** The record as its driver sees it (the controller's driverNetwork, which it does not export). */
function asDriverNetwork(record: NetworkRecord): DriverNetwork {
  const pool = (config: NetworkRecord['ipam']['ipv4'][number]): DriverNetwork['ipam']['ipv4'][number] =>
    config.requested.ipRange === undefined ? config.allocated : { ...config.allocated, ipRange: config.requested.ipRange };
  return { id: record.id, name: record.name, internal: record.internal, ipam: { ipv4: record.ipam.ipv4.map(pool), ipv6: record.ipam.ipv6.map(pool) }, state: record.driverState };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The daemon's side of `berth system reset`: after the controller removed every sandbox and
 * custom network, berthd stops, and during shutdown (its firewall healing and drift repair
 * already off, or they would put things back) removes berth0 and the other predefined
 * networks' kernel objects through their drivers and every firewall table or chain berth owns.
 * The store keeps only the predefined records; the next start re-creates their kernel objects.
 */
export function systemReset(options: SystemResetOptions): SystemReset {
  let requested = false;
  return {
    hook: {
      cleanUpAndStop() {
        requested = true;
        options.log.info({}, 'system reset: berthd stops and removes its predefined networks and firewall tables');
        options.stop();
      },
    },
    async cleanUp() {
      if (!requested) return;
      const removed: string[] = [];
      const errors: string[] = [];
      for (const view of options.controller.listNetworks()) {
        const driver = options.drivers.find((candidate) => candidate.name === view.network.driver);
        try {
          await driver?.removeNetwork(asDriverNetwork(view.network));
          removed.push(`network ${view.network.name}`);
        } catch (error) {
          errors.push(`network ${view.network.name}: ${text(error)}`);
        }
      }
      try {
        await options.firewall.removeOwn(options.hostNetns);
        removed.push(`firewall (${options.firewall.transport})`);
      } catch (error) {
        errors.push(`firewall: ${text(error)}`);
      }
      if (errors.length === 0) options.log.info({ removed }, 'system reset: kernel objects removed');
      else options.log.error({ removed, errors }, 'system reset: some kernel objects could not be removed');
    },
  };
}
