import { execa } from 'execa';
import { Controller, SILENT_LOGGER } from '../../src/controller/index.js';
import type { ControllerOptions, CreateNetworkInput } from '../../src/controller/index.js';
import { LinuxKernel } from '../../src/kernel/linux/index.js';
import { NoFirewall } from '../../src/kernel/index.js';
import type { FirewallBackend } from '../../src/kernel/index.js';
import type { Store } from '../../src/store/index.js';
import { BridgeDriver, HostDriver, NullDriver } from '../../drivers/index.js';
import { DefaultIpam } from '../../ipam/index.js';
import { Lab } from '../../src/lab/index.js';
import type { LabHost } from '../../src/lab/index.js';
import { MemoryStore } from '../support/memory-store.js';

export const PREDEFINED: readonly CreateNetworkInput[] = [
  { name: 'none', driver: 'null' },
  { name: 'host', driver: 'host' },
];

/** A controller acting on a lab host's namespace (as berthd inside the lab would), in this process. */
export interface ControllerRig {
  readonly lab: Lab;
  readonly host: LabHost;
  readonly kernel: LinuxKernel;
  readonly store: Store;
  controller: Controller;
  /** Starts a fresh controller (new IPAM, same store and kernel): a daemon restart. */
  restart(): Promise<Controller>;
  /** Runs a command inside a namespace. */
  run(netnsPath: string, command: readonly string[]): Promise<string>;
  /** `ip -o link` + `ip -o addr` of the lab host and every netns under the run dir: the kernel state to compare. */
  kernelState(): Promise<string>;
  close(): Promise<void>;
}

export async function createRig(options: { readonly store?: (host: LabHost) => Store; readonly firewall?: FirewallBackend } = {}): Promise<ControllerRig> {
  const lab = await Lab.create({ prefix: 'berth-ctl' });
  const host = lab.host;
  const kernel = new LinuxKernel({ netnsDir: `${host.runDir}/netns`, firewall: options.firewall ?? new NoFirewall(), host: host.netns });
  const store = options.store?.(host) ?? new MemoryStore();
  const start = async (): Promise<Controller> => {
    const controllerOptions: ControllerOptions = {
      store, kernel, log: SILENT_LOGGER, predefined: PREDEFINED,
      drivers: [new BridgeDriver({ host: kernel.in(host.netns), firewall: kernel.firewall, sockets: kernel.sockets }), new NullDriver(), new HostDriver()],
      ipams: [new DefaultIpam()],
      paths: { netnsDir: `${host.runDir}/netns`, sandboxDir: `${host.runDir}/sandboxes`, hostResolvConf: '/etc/resolv.conf' },
    };
    return (await Controller.start(controllerOptions)).controller;
  };
  const rig: ControllerRig = {
    lab, host, kernel, store,
    controller: await start(),
    restart: async () => {
      rig.controller = await start();
      return rig.controller;
    },
    run: async (netnsPath, command) => (await execa('nsenter', [`--net=${netnsPath}`, ...command], { timeout: 20_000 })).stdout,
    kernelState: async () => {
      // Link flags and operstate (LOWER_UP, NO-CARRIER) follow the kernel's carrier logic, not berth: leave them out.
      const links = (await lab.run(host.netns, ['ip', '-o', 'link'])).replace(/<[^>]*>/g, '<>').replace(/ state \S+/g, '');
      // IPv6 link-local addresses appear when a link gets carrier: kernel's doing, not berth's.
      const addresses = (await lab.run(host.netns, ['ip', '-o', 'addr'])).split('\n').filter((line) => !line.includes('inet6 fe80::')).join('\n');
      const parts = [links, addresses];
      for (const name of await kernel.netns.list()) {
        const path = `${host.runDir}/netns/${name}`;
        parts.push(`${name}:`, await rig.run(path, ['ip', '-o', 'addr']));
      }
      return parts.join('\n').replace(/valid_lft.*$/gm, '');
    },
    close: async () => {
      for (const view of rig.controller.listSandboxes()) await rig.controller.removeSandbox({ sandbox: view.sandbox.id, force: true }).catch(() => undefined);
      kernel.close();
      store.close();
      await lab.close();
    },
  };
  return rig;
}
