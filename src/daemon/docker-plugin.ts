import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Server } from 'node:http';
import type { IpamDriver, NetworkDriver } from '../driver-api/index.js';
import type { Logger } from '../controller/index.js';
import { listenUnix } from '../api/index.js';
import { IpamPlugin, NetworkPlugin, PluginState, createPluginServer } from '../plugin/index.js';

/** The Docker plugin inside berthd (`--docker-plugin PATH`): prepared before the controller starts, served after. */
export interface DockerPlugin {
  /** Ids of the plugin's networks, for the controller's reconcile. */
  networkIds(): ReadonlySet<string>;
  /** Restores the plugin networks' kernel objects and ports, then listens on the socket. */
  serve(): Promise<void>;
  close(): void;
}

/**
 * Loads the plugin's state (<root>/docker-plugin.json) and re-reserves its IPAM pools and
 * addresses before berth's own networks are replayed, so neither can take the other's.
 */
export async function prepareDockerPlugin(init: { readonly socket: string; readonly root: string; readonly drivers: readonly NetworkDriver[]; readonly ipam: IpamDriver; readonly hostNetnsPath: string; readonly log: Logger }): Promise<DockerPlugin> {
  const state = PluginState.open(join(init.root, 'docker-plugin.json'));
  const ipam = new IpamPlugin({ ipam: init.ipam, state });
  const network = new NetworkPlugin({ drivers: new Map(init.drivers.map((driver) => [driver.name, driver])), state, hostNetnsPath: init.hostNetnsPath, log: init.log });
  for (const problem of await ipam.replay()) init.log.error({ problem }, 'docker plugin: IPAM replay problem');
  let server: Server | undefined;
  return {
    networkIds: () => network.networkIds(),
    serve: async () => {
      for (const problem of await network.restore()) init.log.error({ problem }, 'docker plugin: restore problem');
      server = createPluginServer({ network, ipam, log: init.log });
      mkdirSync(dirname(init.socket), { recursive: true });
      await listenUnix(server, init.socket, 0o660);
      init.log.info({ socket: init.socket }, 'docker plugin listening');
    },
    close: () => {
      server?.close();
      server?.closeAllConnections();
    },
  };
}
