import { Address4, Address6 } from 'ip-address';
import { BerthError, hasCode } from '../errors/index.js';
import { isPortPublisher, parsePortSpec } from '../driver-api/index.js';
import type { DriverEndpoint, DriverNetwork, IpamDriver, NetworkDriver, PortMapping } from '../driver-api/index.js';
import type { EndpointRecord, IpamConfigRecord, NetworkRecord, SandboxRecord } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';
import type { EndpointInput } from './inputs.js';
import { driverNetwork, driverOf, ipamOf } from './network-ops.js';
import { configureInterface, removeInterface, setDefaultRoutes } from './sandbox-networking.js';
import { UndoStack, runAll } from './undo-stack.js';
import { plainIp } from './ipam-allocation.js';
import { refreshSandboxFiles } from './sandbox-ops-support.js';
import { syncSandboxDns } from './sandbox-dns.js';

const ALIAS_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})$/;

/** True when endpoints of `network` give a sandbox its default route. */
export function providesGateway(network: NetworkRecord): boolean {
  // Global (overlay) networks are flat L2 segments: their sandboxes leave through the gateway bridge (gateway-bridge.ts).
  return !network.internal && network.scope !== 'global' && network.driver !== 'null' && network.driver !== 'host' && network.ipam.ipv4.some((config) => config.allocated.gateway !== undefined);
}

function nextInterfaceName(endpoints: readonly EndpointRecord[]): string {
  const used = new Set(endpoints.map((endpoint) => endpoint.interfaceName));
  let index = 0;
  while (used.has(`eth${index}`)) index += 1;
  return `eth${index}`;
}

function inPool(config: IpamConfigRecord, ip: string, v6: boolean): boolean {
  return v6 ? new Address6(ip).isInSubnet(new Address6(config.allocated.pool)) : new Address4(ip).isInSubnet(new Address4(config.allocated.pool));
}

interface Allocation {
  readonly address: string;
  readonly poolId: string;
}

/** Reserves an endpoint address: the static one in the pool that holds it, else the next free of the first pool with room. */
async function allocateAddress(options: { ipam: IpamDriver; configs: readonly IpamConfigRecord[]; staticIp: string | undefined; v6: boolean; network: NetworkRecord }): Promise<Allocation | undefined> {
  const { ipam, configs, staticIp, v6, network } = options;
  if (configs.length === 0) {
    if (staticIp !== undefined) throw new BerthError('INVALID_ARGUMENT', `network ${network.name} has no IPv${v6 ? 6 : 4} subnet for address ${staticIp}`, { object: staticIp });
    return undefined;
  }
  if (staticIp !== undefined) {
    const valid = v6 ? Address6.isValid(staticIp) && !staticIp.includes('/') : Address4.isValid(staticIp) && !staticIp.includes('/');
    if (!valid) throw new BerthError('INVALID_ARGUMENT', `invalid IPv${v6 ? 6 : 4} address ${JSON.stringify(staticIp)}`, { object: staticIp });
    if (configs.every((config) => config.requested.subnet === undefined)) {
      throw new BerthError('INVALID_ARGUMENT', `user specified IP address is supported only when connecting to networks with user configured subnets (${network.name})`, { object: staticIp });
    }
    const config = configs.find((candidate) => inPool(candidate, staticIp, v6));
    if (config === undefined) throw new BerthError('ADDRESS_OUT_OF_RANGE', `requested address ${staticIp} is out of range of network ${network.name}`, { object: staticIp });
    return { address: await ipam.requestAddress(config.poolId, { address: staticIp }), poolId: config.poolId };
  }
  for (const [index, config] of configs.entries()) {
    try {
      return { address: await ipam.requestAddress(config.poolId), poolId: config.poolId };
    } catch (error) {
      if (!hasCode(error, 'NO_ADDRESS_AVAILABLE') || index === configs.length - 1) throw error;
    }
  }
  return undefined;
}

function validateConnect(deps: ControllerDeps, request: { readonly network: NetworkRecord; readonly sandbox: SandboxRecord; readonly input: EndpointInput }): void {
  const { network, sandbox, input } = request;
  const existing = deps.state.endpointsOf({ sandboxId: sandbox.id });
  if (existing.some((endpoint) => endpoint.networkId === network.id)) {
    throw new BerthError('ENDPOINT_EXISTS', `endpoint with name ${sandbox.name} already exists in network ${network.name}`, { object: sandbox.name });
  }
  const networks = existing.map((endpoint) => deps.state.networks.get(endpoint.networkId));
  if (network.driver === 'host' && existing.length > 0) {
    throw new BerthError('INVALID_ARGUMENT', `sandbox ${sandbox.name} cannot join the host network: it already has its own network namespace`, { object: sandbox.name });
  }
  if (networks.some((other) => other?.driver === 'host')) {
    throw new BerthError('INVALID_ARGUMENT', `sandbox ${sandbox.name} shares the host's network namespace and cannot be connected to other networks`, { object: sandbox.name });
  }
  if (network.driver === 'null' ? existing.length > 0 : networks.some((other) => other?.driver === 'null')) {
    throw new BerthError('INVALID_ARGUMENT', `sandbox ${sandbox.name} cannot be connected to multiple networks with one of the networks in private (none) mode`, { object: sandbox.name });
  }
  for (const alias of input.aliases ?? []) {
    if (!ALIAS_PATTERN.test(alias)) throw new BerthError('INVALID_ARGUMENT', `invalid alias ${JSON.stringify(alias)}: use letters, digits, '_', '.', '-'`, { object: alias });
  }
}

/** Connects a sandbox to a network: addresses, driver endpoint, join, interface, store; undone on failure. Caller holds the locks. */
export async function connectEndpoint(deps: ControllerDeps, init: { readonly network: NetworkRecord; readonly sandbox: SandboxRecord; readonly input: EndpointInput }): Promise<EndpointRecord> {
  const { network, sandbox, input } = init;
  validateConnect(deps, init);
  const driver = driverOf(deps, network.driver);
  const others = deps.state.endpointsOf({ sandboxId: sandbox.id });
  const undo = new UndoStack();
  try {
    const ipam = ipamOf(deps, network.ipam.driver);
    const v4 = await allocateAddress({ ipam, configs: network.ipam.ipv4, staticIp: input.ipv4Address, v6: false, network });
    if (v4 !== undefined) undo.push(`release ${v4.address}`, () => ipam.releaseAddress(v4.poolId, plainIp(v4.address)));
    const v6 = await allocateAddress({ ipam, configs: network.ipam.ipv6, staticIp: input.ipv6Address, v6: true, network });
    if (v6 !== undefined) undo.push(`release ${v6.address}`, () => ipam.releaseAddress(v6.poolId, plainIp(v6.address)));
    const id = deps.newId();
    const dn = driverNetwork(network);
    const created: DriverEndpoint = await driver.createEndpoint(dn, {
      id,
      ...(v4 === undefined ? {} : { address: v4.address }),
      ...(v6 === undefined ? {} : { addressIpv6: v6.address }),
      ...(input.macAddress === undefined ? {} : { macAddress: input.macAddress }),
      options: input.driverOptions ?? {},
    });
    undo.push(`remove endpoint ${id}`, () => driver.removeEndpoint(dn, created));
    const interfaceName = nextInterfaceName(others);
    const target = { id: sandbox.id, netnsPath: sandbox.netnsPath, interfaceName };
    const join = await driver.join(dn, created, target);
    undo.push(`leave ${network.name}`, () => driver.leave(dn, created, target));
    const isGateway = providesGateway(network) && !others.some((endpoint) => { const other = deps.state.networks.get(endpoint.networkId); return other !== undefined && providesGateway(other); });
    await configureInterface(deps.kernel, {
      netnsPath: sandbox.netnsPath, interfaceName, join, isGateway,
      ...(created.address === undefined ? {} : { address: created.address }),
      ...(created.addressIpv6 === undefined ? {} : { addressIpv6: created.addressIpv6 }),
      ...(created.macAddress === undefined ? {} : { macAddress: created.macAddress }),
    });
    if (join.interface !== undefined) undo.push(`remove ${interfaceName}`, () => removeInterface(deps.kernel, target));
    const ports = await publish(deps, { driver, network: dn, endpoint: created, specs: input.publish ?? [] });
    if (ports.length > 0 && isPortPublisher(driver)) undo.push('unpublish ports', () => driver.unpublishPorts(dn, ports));
    const record: EndpointRecord = {
      id, networkId: network.id, sandboxId: sandbox.id, name: sandbox.name, interfaceName,
      aliases: input.aliases ?? [], driverState: created.state, created: deps.now().toISOString(),
      ...(created.address === undefined ? {} : { address: created.address }),
      ...(created.addressIpv6 === undefined ? {} : { addressIpv6: created.addressIpv6 }),
      ...(created.macAddress === undefined ? {} : { macAddress: created.macAddress }),
      ...(v4 === undefined ? {} : { poolId: v4.poolId }),
      ...(v6 === undefined ? {} : { poolIdIpv6: v6.poolId }),
      ...(input.ipv4Address === undefined ? {} : { staticAddress: input.ipv4Address }),
      ...(input.ipv6Address === undefined ? {} : { staticAddressIpv6: input.ipv6Address }),
      ...(ports.length === 0 ? {} : { ports }),
    };
    await deps.state.commit((tx) => tx.putEndpoint(record));
    refreshSandboxFiles(deps, sandbox);
    syncSandboxDns(deps, sandbox);
    deps.log.info({ network: network.id, sandbox: sandbox.id, endpoint: id, address: record.address }, 'sandbox connected');
    return record;
  } catch (error) {
    const failures = await undo.unwind();
    if (failures.length > 0) deps.log.error({ network: network.id, sandbox: sandbox.id, failures }, 'undo of a failed connect was incomplete');
    throw error;
  }
}

/** Disconnects an endpoint: leave, interface, driver endpoint, store, addresses. With `force`, driver failures are logged, not thrown. */
export async function disconnectEndpoint(deps: ControllerDeps, init: { readonly endpoint: EndpointRecord; readonly force: boolean }): Promise<void> {
  const { endpoint, force } = init;
  const network = deps.state.networks.get(endpoint.networkId);
  const sandbox = deps.state.sandboxes.get(endpoint.sandboxId);
  if (network === undefined) throw new BerthError('NETWORK_NOT_FOUND', `network ${endpoint.networkId} of endpoint ${endpoint.id} not found`, { object: endpoint.networkId });
  const driver = deps.drivers.get(network.driver);
  const dn = driverNetwork(network);
  const created: DriverEndpoint = { id: endpoint.id, state: endpoint.driverState, ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }) };
  const target = { id: endpoint.sandboxId, netnsPath: sandbox?.netnsPath ?? '', interfaceName: endpoint.interfaceName };
  const ports = endpoint.ports ?? [];
  const kernelSteps: [string, () => Promise<void>][] = driver === undefined ? [] : [
    ['unpublish ports', () => (ports.length > 0 && isPortPublisher(driver) ? driver.unpublishPorts(dn, ports) : Promise.resolve())],
    ['leave', () => driver.leave(dn, created, target)],
    ['remove interface', () => (sandbox === undefined || network.driver === 'host' ? Promise.resolve() : removeInterface(deps.kernel, target))],
    ['remove endpoint', () => driver.removeEndpoint(dn, created)],
  ];
  try {
    await runAll(`disconnect ${endpoint.name} from ${network.name}`, kernelSteps);
  } catch (error) {
    if (!force) throw error;
    deps.log.warn({ endpoint: endpoint.id, error: String(error) }, 'forced disconnect: driver teardown failed');
  }
  await deps.state.commit((tx) => tx.deleteEndpoint(endpoint.id));
  deps.dns?.registry.remove(endpoint.id);
  const ipam = deps.ipams.get(network.ipam.driver);
  if (ipam !== undefined) {
    if (endpoint.address !== undefined && endpoint.poolId !== undefined) await ipam.releaseAddress(endpoint.poolId, plainIp(endpoint.address));
    if (endpoint.addressIpv6 !== undefined && endpoint.poolIdIpv6 !== undefined) await ipam.releaseAddress(endpoint.poolIdIpv6, plainIp(endpoint.addressIpv6));
  }
  if (sandbox !== undefined) {
    await handOverGateway(deps, { sandbox, removed: network });
    refreshSandboxFiles(deps, sandbox);
    syncSandboxDns(deps, sandbox);
  }
  deps.log.info({ network: network.id, sandbox: endpoint.sandboxId, endpoint: endpoint.id }, 'sandbox disconnected');
}

/** When the gateway endpoint goes, the next endpoint that can be one takes over the default route. */
async function handOverGateway(deps: ControllerDeps, init: { readonly sandbox: SandboxRecord; readonly removed: NetworkRecord }): Promise<void> {
  if (!providesGateway(init.removed)) return;
  const remaining = deps.state.endpointsOf({ sandboxId: init.sandbox.id })
    .map((endpoint) => ({ endpoint, network: deps.state.networks.get(endpoint.networkId) }))
    .filter((entry): entry is { endpoint: EndpointRecord; network: NetworkRecord } => entry.network !== undefined && providesGateway(entry.network))
    .sort((a, b) => a.network.name.localeCompare(b.network.name));
  const next = remaining[0];
  const gateway = next?.network.ipam.ipv4[0]?.allocated.gateway;
  if (next === undefined || gateway === undefined) return;
  const gatewayIpv6 = next.network.ipam.ipv6[0]?.allocated.gateway;
  await setDefaultRoutes(deps.kernel, {
    netnsPath: init.sandbox.netnsPath,
    interfaceName: next.endpoint.interfaceName,
    join: { gateway, ...(gatewayIpv6 === undefined ? {} : { gatewayIpv6 }), staticRoutes: [], disableGatewayService: false },
  });
}

/** Publishes `-p` specs through the driver (libnetwork's ProgramExternalConnectivity). */
async function publish(deps: ControllerDeps, init: { readonly driver: NetworkDriver; readonly network: DriverNetwork; readonly endpoint: DriverEndpoint; readonly specs: readonly string[] }): Promise<readonly PortMapping[]> {
  if (init.specs.length === 0) return [];
  if (!isPortPublisher(init.driver)) {
    throw new BerthError('INVALID_ARGUMENT', `port publishing (-p) is not supported on network ${init.network.name}: its ${init.driver.name} driver has no NAT or port mapping; reach the sandbox at its own address instead`, { object: init.network.name });
  }
  const bindings = init.specs.flatMap((spec) => parsePortSpec(spec));
  const mappings = await init.driver.publishPorts(init.network, init.endpoint, bindings);
  deps.log.info({ network: init.network.id, endpoint: init.endpoint.id, ports: mappings.map((mapping) => `${mapping.hostIp}:${mapping.hostPort}->${mapping.containerPort}/${mapping.protocol}`) }, 'ports published');
  return mappings;
}
