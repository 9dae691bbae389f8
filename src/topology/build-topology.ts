import { networkDevice } from './network-device.js';
import type { Topology, TopologyEndpoint, TopologyNetwork, TopologyPort, TopologySandbox } from './topology.js';
import { asList, asObject, flag, optionalText, text, textMap } from './wire-reader.js';
import type { WireObject } from './wire-reader.js';

/** What berthd answered: network inspect bodies (`GET /networks/{id}`) and container inspect bodies (`GET /containers/{id}/json`). */
export interface TopologySource {
  readonly networks: readonly unknown[];
  readonly sandboxes: readonly unknown[];
}

function readNetwork(value: unknown): TopologyNetwork {
  const network = asObject(value, 'network');
  const ipam = network['IPAM'] === undefined || network['IPAM'] === null ? {} : asObject(network['IPAM'], 'IPAM');
  const configs = ipam['Config'] === undefined || ipam['Config'] === null ? [] : asList(ipam['Config'], 'IPAM.Config');
  const id = text(network, 'Id');
  const driver = text(network, 'Driver');
  const internal = flag(network, 'Internal');
  return {
    id, name: text(network, 'Name'), driver, scope: text(network, 'Scope', 'local'), internal,
    subnets: configs.map((config) => {
      const entry = asObject(config, 'IPAM.Config[]');
      return { subnet: text(entry, 'Subnet'), gateway: optionalText(entry, 'Gateway') };
    }),
    device: networkDevice({ id, driver, internal, options: textMap(network, 'Options') }),
  };
}

function readPorts(settings: WireObject): TopologyPort[] {
  const ports = settings['Ports'] === undefined || settings['Ports'] === null ? {} : asObject(settings['Ports'], 'NetworkSettings.Ports');
  const out: TopologyPort[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [port = '', protocol = 'tcp'] = key.split('/');
    if (bindings === null) continue;
    for (const binding of asList(bindings, `Ports[${key}]`)) {
      const entry = asObject(binding, `Ports[${key}][]`);
      out.push({ hostIp: text(entry, 'HostIp'), hostPort: Number(text(entry, 'HostPort')), containerPort: Number(port), protocol });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp));
}

/**
 * A sandbox's interfaces. The Engine API does not name them: berthd lists a sandbox's networks
 * in interface order (controller-state.ts sorts by ethN), so the n-th is eth<n> — exact unless
 * a lower ethN was disconnected since (then the kernel name is higher than shown).
 */
function readEndpoints(settings: WireObject): TopologyEndpoint[] {
  const networks = settings['Networks'] === undefined || settings['Networks'] === null ? {} : asObject(settings['Networks'], 'NetworkSettings.Networks');
  return Object.entries(networks).map(([networkName, value], index) => {
    const entry = asObject(value, `Networks[${networkName}]`);
    return {
      networkId: text(entry, 'NetworkID'), networkName, interfaceName: `eth${index}`,
      ipv4: optionalText(entry, 'IPAddress'), ipv6: optionalText(entry, 'GlobalIPv6Address'), mac: optionalText(entry, 'MacAddress'),
    };
  });
}

function readSandbox(value: unknown): TopologySandbox {
  const sandbox = asObject(value, 'sandbox');
  const settings = asObject(sandbox['NetworkSettings'], 'NetworkSettings');
  const state = sandbox['State'] === undefined ? {} : asObject(sandbox['State'], 'State');
  return {
    id: text(sandbox, 'Id'), name: text(sandbox, 'Name').replace(/^\//, ''), status: text(state, 'Status', 'created'),
    endpoints: readEndpoints(settings), ports: readPorts(settings),
  };
}

/**
 * Builds the model from berthd's replies, networks and sandboxes sorted by name. The `host` and
 * `null` networks have no device to draw: they appear only while a sandbox is attached.
 */
export function buildTopology(source: TopologySource): Topology {
  const byName = <T extends { readonly name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);
  const sandboxes = source.sandboxes.map(readSandbox).sort(byName);
  const attached = new Set(sandboxes.flatMap((sandbox) => sandbox.endpoints.map((endpoint) => endpoint.networkId)));
  const networks = source.networks.map(readNetwork).filter((network) => network.device.kind !== 'none' || attached.has(network.id));
  return { networks: networks.sort(byName), sandboxes };
}
