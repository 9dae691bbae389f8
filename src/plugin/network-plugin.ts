import { isNetworkRestorer, isPortPublisher } from '../driver-api/index.js';
import type { DriverNetwork, IpamData, NetworkDriver, PortBinding, PortProtocol, SandboxTarget } from '../driver-api/index.js';
import { BerthError } from '../errors/index.js';
import { asObject, objectList, optionalString } from '../api/wire/fields.js';
import type { Logger } from '../controller/index.js';
import type { PluginEndpoint, PluginNetwork, PluginState } from './plugin-state.js';
import { without } from './plugin-state.js';

/** `-o berth.driver=bridge|macvlan|ipvlan` picks the berth driver doing the kernel work (bridge by default). */
export const DRIVER_OPTION = 'berth.driver';
const PLUGIN_DRIVERS = new Set(['bridge', 'macvlan', 'ipvlan']);
const GENERIC = 'com.docker.network.generic';
const PORTMAP = 'com.docker.network.portmap';
const PROTOCOLS: Readonly<Record<number, PortProtocol>> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

type JsonObject = Record<string, unknown>;

function required(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw new BerthError('INVALID_ARGUMENT', `${field} is required`, { object: field });
  return value;
}

/** "172.18.0.1/16" (libnetwork's IPAMData form) → "172.18.0.1". */
function plain(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

function ipamData(body: JsonObject, field: 'IPv4Data' | 'IPv6Data'): IpamData[] {
  return objectList(body, field).map((data, index) => {
    const pool = required(data, 'Pool');
    const gateway = optionalString(data, 'Gateway', `${field}[${index}].Gateway`);
    const aux = data['AuxAddresses'];
    const auxAddresses: Record<string, string> = {};
    if (aux !== undefined && aux !== null) {
      for (const [name, value] of Object.entries(asObject(aux, `${field}[${index}].AuxAddresses`))) {
        if (typeof value === 'string') auxAddresses[name] = plain(value);
      }
    }
    return { pool, auxAddresses, ...(gateway === undefined || gateway === '' ? {} : { gateway: plain(gateway) }) };
  });
}

/** The `-o` options of a network as dockerd forwards them (all strings). */
function genericOptions(options: JsonObject): Record<string, string> {
  const generic = options[GENERIC];
  if (generic === undefined || generic === null) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(generic, `Options.${GENERIC}`))) out[key] = String(value);
  return out;
}

/** `com.docker.network.portmap` entries → berth port bindings. */
export function portBindings(options: JsonObject): PortBinding[] {
  const portmap = options[PORTMAP];
  if (!Array.isArray(portmap)) return [];
  return portmap.map((entry: unknown, index) => {
    const binding = asObject(entry, `${PORTMAP}[${index}]`);
    const protocol = PROTOCOLS[Number(binding['Proto'])];
    const containerPort = Number(binding['Port']);
    const hostPort = Number(binding['HostPort'] ?? 0);
    if (protocol === undefined || !Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535 || !Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) {
      throw new BerthError('INVALID_ARGUMENT', `${PORTMAP}[${index}]: invalid port binding ${JSON.stringify(entry)}`, { object: PORTMAP });
    }
    const hostIp = typeof binding['HostIP'] === 'string' && binding['HostIP'] !== '' ? binding['HostIP'] : undefined;
    return { hostPort, containerPort, protocol, ...(hostIp === undefined ? {} : { hostIp }) };
  });
}

/**
 * dockerd's remote network driver (libnetwork drivers/remote): each call is answered by one of
 * berth's own drivers. dockerd owns sandboxes and addresses; the driver creates the interface in
 * the host namespace at Join (SrcName) and dockerd moves it into the container.
 */
export class NetworkPlugin {
  readonly #drivers: ReadonlyMap<string, NetworkDriver>;
  readonly #state: PluginState;
  readonly #hostNetnsPath: string;
  readonly #log: Logger;

  constructor(init: { readonly drivers: ReadonlyMap<string, NetworkDriver>; readonly state: PluginState; readonly hostNetnsPath: string; readonly log: Logger }) {
    this.#drivers = init.drivers;
    this.#state = init.state;
    this.#hostNetnsPath = init.hostNetnsPath;
    this.#log = init.log;
  }

  /** Ids of the networks the plugin made: the controller's reconcile must leave their links alone. */
  networkIds(): ReadonlySet<string> {
    return new Set(Object.keys(this.#state.data.networks));
  }

  /** After a daemon restart: networks' kernel objects and published ports back in place. */
  async restore(): Promise<readonly string[]> {
    const problems: string[] = [];
    for (const { driver: name, network } of Object.values(this.#state.data.networks)) {
      const driver = this.#drivers.get(name);
      if (driver === undefined || !isNetworkRestorer(driver)) continue;
      await driver.restoreNetwork(network).catch((error: unknown) => problems.push(`network ${network.id.slice(0, 12)}: ${String(error)}`));
    }
    for (const entry of Object.values(this.#state.data.endpoints)) {
      const owner = this.#state.data.networks[entry.networkId];
      const driver = owner === undefined ? undefined : this.#drivers.get(owner.driver);
      if (owner === undefined || driver === undefined || entry.ports.length === 0 || !isPortPublisher(driver)) continue;
      await driver.restorePorts(owner.network, entry.ports).catch((error: unknown) => problems.push(`ports of ${entry.endpoint.id.slice(0, 12)}: ${String(error)}`));
    }
    return problems;
  }

  capabilities(): JsonObject {
    return { Scope: 'local', ConnectivityScope: 'local' };
  }

  async createNetwork(body: JsonObject): Promise<JsonObject> {
    const id = required(body, 'NetworkID');
    if (this.#state.data.networks[id] !== undefined) return {};
    const options = body['Options'] === undefined || body['Options'] === null ? {} : asObject(body['Options'], 'Options');
    const generic = genericOptions(options);
    const driverName = generic[DRIVER_OPTION] ?? 'bridge';
    const driver = this.#drivers.get(driverName);
    if (!PLUGIN_DRIVERS.has(driverName) || driver === undefined) {
      throw new BerthError('INVALID_OPTION', `-o ${DRIVER_OPTION}=${driverName}: berth drives bridge, macvlan or ipvlan networks for dockerd`, { object: DRIVER_OPTION });
    }
    const driverOptions = without(generic, DRIVER_OPTION);
    const ipam = { ipv4: ipamData(body, 'IPv4Data'), ipv6: ipamData(body, 'IPv6Data') };
    const internal = options['com.docker.network.internal'] === true;
    const request = { id, name: `docker-${id.slice(0, 12)}`, options: driverOptions, internal, enableIpv6: options['com.docker.network.enable_ipv6'] === true, attachable: false };
    const plan = driver.planNetwork(request, ipam);
    const state = await driver.createNetwork(plan, ipam);
    const network: DriverNetwork = { id, name: request.name, internal, ipam, state };
    try {
      this.#state.update((data) => ({ ...data, networks: { ...data.networks, [id]: { driver: driverName, network } } }));
    } catch (error) {
      await driver.removeNetwork(network);
      throw error;
    }
    this.#log.info({ network: id, driver: driverName }, 'plugin network created');
    return {};
  }

  async deleteNetwork(body: JsonObject): Promise<JsonObject> {
    const id = required(body, 'NetworkID');
    const entry = this.#state.data.networks[id];
    if (entry === undefined) return {};
    await this.#driver(entry).removeNetwork(entry.network);
    this.#state.update((data) => ({ ...data, networks: without(data.networks, id) }));
    this.#log.info({ network: id }, 'plugin network removed');
    return {};
  }

  async createEndpoint(body: JsonObject): Promise<JsonObject> {
    const { entry, endpointId } = this.#network(body);
    if (this.#state.data.endpoints[endpointId] !== undefined) return {};
    const iface = body['Interface'] === undefined || body['Interface'] === null ? {} : asObject(body['Interface'], 'Interface');
    const address = optionalString(iface, 'Address', 'Interface.Address');
    const addressIpv6 = optionalString(iface, 'AddressIPv6', 'Interface.AddressIPv6');
    const macAddress = optionalString(iface, 'MacAddress', 'Interface.MacAddress');
    const endpoint = await this.#driver(entry).createEndpoint(entry.network, {
      id: endpointId, options: {},
      ...(address === undefined || address === '' ? {} : { address }),
      ...(addressIpv6 === undefined || addressIpv6 === '' ? {} : { addressIpv6 }),
      ...(macAddress === undefined || macAddress === '' ? {} : { macAddress }),
    });
    this.#state.update((data) => ({ ...data, endpoints: { ...data.endpoints, [endpointId]: { networkId: entry.network.id, endpoint, ports: [] } } }));
    // dockerd takes values only for fields it left empty (a different MAC would be an error).
    return (macAddress === undefined || macAddress === '') && endpoint.macAddress !== undefined ? { Interface: { MacAddress: endpoint.macAddress } } : {};
  }

  endpointInfo(body: JsonObject): JsonObject {
    const { endpoint } = this.#endpoint(body);
    return { Value: { id: endpoint.endpoint.id, macAddress: endpoint.endpoint.macAddress ?? '', ports: endpoint.ports.map((port) => `${port.hostIp}:${port.hostPort}->${port.containerPort}/${port.protocol}`) } };
  }

  async deleteEndpoint(body: JsonObject): Promise<JsonObject> {
    const networkId = required(body, 'NetworkID');
    const endpointId = required(body, 'EndpointID');
    const endpoint = this.#state.data.endpoints[endpointId];
    const entry = this.#state.data.networks[networkId];
    if (endpoint === undefined || entry === undefined) return {};
    const driver = this.#driver(entry);
    if (endpoint.ports.length > 0 && isPortPublisher(driver)) await driver.unpublishPorts(entry.network, endpoint.ports);
    // The interface is back in the host namespace under its join name (dockerd moves it out on leave).
    await driver.leave(entry.network, endpoint.endpoint, this.#target(endpoint));
    await driver.removeEndpoint(entry.network, endpoint.endpoint);
    this.#state.update((data) => ({ ...data, endpoints: without(data.endpoints, endpointId) }));
    return {};
  }

  async join(body: JsonObject): Promise<JsonObject> {
    const { entry, endpoint } = this.#endpoint(body);
    const sourceName = `bp${endpoint.endpoint.id.slice(0, 11)}`;
    const joined: PluginEndpoint = { ...endpoint, sourceName };
    const result = await this.#driver(entry).join(entry.network, endpoint.endpoint, this.#target(joined));
    this.#state.update((data) => ({ ...data, endpoints: { ...data.endpoints, [endpoint.endpoint.id]: joined } }));
    return {
      InterfaceName: { SrcName: result.interface?.sourceName ?? sourceName, DstPrefix: 'eth' },
      ...(result.gateway === undefined ? {} : { Gateway: result.gateway }),
      ...(result.gatewayIpv6 === undefined ? {} : { GatewayIPv6: result.gatewayIpv6 }),
      StaticRoutes: result.staticRoutes.map((route) => ({ Destination: route.destination, RouteType: route.nextHop === undefined ? 1 : 0, ...(route.nextHop === undefined ? {} : { NextHop: route.nextHop }) })),
      DisableGatewayService: result.disableGatewayService,
    };
  }

  /** Nothing to do: the interface belongs to the container until dockerd deletes the endpoint. */
  leave(body: JsonObject): JsonObject {
    this.#endpoint(body);
    return {};
  }

  async programExternalConnectivity(body: JsonObject): Promise<JsonObject> {
    const { entry, endpoint } = this.#endpoint(body);
    const options = body['Options'] === undefined || body['Options'] === null ? {} : asObject(body['Options'], 'Options');
    const bindings = portBindings(options);
    if (bindings.length === 0) return {};
    const driver = this.#driver(entry);
    if (!isPortPublisher(driver)) {
      throw new BerthError('INVALID_ARGUMENT', `berth's ${entry.driver} driver cannot publish ports (-p): its sandboxes are reached at their own addresses`, { object: PORTMAP });
    }
    if (endpoint.ports.length > 0) await driver.unpublishPorts(entry.network, endpoint.ports);
    const ports = await driver.publishPorts(entry.network, endpoint.endpoint, bindings);
    this.#state.update((data) => ({ ...data, endpoints: { ...data.endpoints, [endpoint.endpoint.id]: { ...endpoint, ports } } }));
    return {};
  }

  async revokeExternalConnectivity(body: JsonObject): Promise<JsonObject> {
    const { entry, endpoint } = this.#endpoint(body);
    const driver = this.#driver(entry);
    if (endpoint.ports.length > 0 && isPortPublisher(driver)) await driver.unpublishPorts(entry.network, endpoint.ports);
    this.#state.update((data) => ({ ...data, endpoints: { ...data.endpoints, [endpoint.endpoint.id]: { ...endpoint, ports: [] } } }));
    return {};
  }

  #target(endpoint: PluginEndpoint): SandboxTarget {
    return { id: endpoint.endpoint.id, netnsPath: this.#hostNetnsPath, interfaceName: endpoint.sourceName ?? `bp${endpoint.endpoint.id.slice(0, 11)}` };
  }

  #driver(entry: PluginNetwork): NetworkDriver {
    const driver = this.#drivers.get(entry.driver);
    if (driver === undefined) throw new BerthError('DRIVER_NOT_FOUND', `berth driver ${entry.driver} is not loaded`, { object: entry.driver });
    return driver;
  }

  #network(body: JsonObject): { entry: PluginNetwork; endpointId: string } {
    const networkId = required(body, 'NetworkID');
    const endpointId = required(body, 'EndpointID');
    const entry = this.#state.data.networks[networkId];
    if (entry === undefined) throw new BerthError('NETWORK_NOT_FOUND', `network ${networkId} is not a berth network`, { object: networkId });
    return { entry, endpointId };
  }

  #endpoint(body: JsonObject): { entry: PluginNetwork; endpoint: PluginEndpoint } {
    const { entry, endpointId } = this.#network(body);
    const endpoint = this.#state.data.endpoints[endpointId];
    if (endpoint === undefined) throw new BerthError('ENDPOINT_NOT_FOUND', `endpoint ${endpointId} not found on network ${entry.network.id}`, { object: endpointId });
    return { entry, endpoint };
  }
}
