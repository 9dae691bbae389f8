import { createHash } from 'node:crypto';
import type { ConnectInput, CreateNetworkInput, CreateSandboxInput, DisconnectInput, EndpointInput, IpamConfigInput, NetworkController, NetworkView, RemoveSandboxInput, SandboxView } from '../../src/controller/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { EndpointRecord, IpamConfigRecord, NetworkRecord, SandboxRecord } from '../../src/store/index.js';
import { cidrContains, cidrSize, cidrsOverlap, intToIp, ipToInt, parseCidr4 } from './fake-controller-ipv4.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const DRIVERS = ['bridge', 'macvlan'];

/**
 * An in-memory NetworkController for API and CLI tests. It checks what the real one checks
 * closely enough to produce every status (names, duplicates, predefined networks, subnets,
 * overlaps, static addresses, exhaustion, ambiguity); nothing touches the kernel. `failNext`
 * makes the next call throw any error, so tests can drive every ErrorCode through the API.
 */
export class FakeController implements NetworkController {
  readonly networks = new Map<string, NetworkRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly sandboxes = new Map<string, SandboxRecord>();
  /** Thrown (once) by the next controller call. */
  failNext: Error | undefined;
  /** Prepended to new ids. */
  idPrefix = '';
  #counter = 0;
  readonly #now: () => Date;

  constructor(options: { readonly now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#addNetwork({ name: 'bridge', driver: 'bridge', predefined: true, ipv4: [this.#ipamRecord({}, '172.17.0.0/16')] });
    this.#addNetwork({ name: 'host', driver: 'host', predefined: true, ipv4: [] });
    this.#addNetwork({ name: 'none', driver: 'null', predefined: true, ipv4: [] });
  }

  /** A fresh 64-hex id, starting with `idPrefix` (tests set it to make ids share a prefix). */
  newId(): string {
    this.#counter += 1;
    return (this.idPrefix + createHash('sha256').update(String(this.#counter)).digest('hex')).slice(0, 64);
  }

  listNetworks(): readonly NetworkView[] {
    this.#maybeFail();
    return [...this.networks.values()].map((network) => this.#networkView(network));
  }

  getNetwork(idOrName: string): NetworkView {
    this.#maybeFail();
    return this.#networkView(this.#resolveNetwork(idOrName));
  }

  createNetwork(input: CreateNetworkInput): Promise<NetworkView> {
    return this.#async(() => {
      const driver = input.driver ?? 'bridge';
      if (input.name === '') throw new BerthError('INVALID_ARGUMENT', 'network name must not be empty', { object: 'Name' });
      if (['bridge', 'host', 'none'].includes(input.name) || driver === 'host' || driver === 'null') {
        throw new BerthError('PREDEFINED_NETWORK', `operation is not permitted on predefined ${input.name} network `, { object: input.name });
      }
      if (!NAME.test(input.name)) throw new BerthError('INVALID_ARGUMENT', `invalid network name ${JSON.stringify(input.name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { object: input.name });
      if ([...this.networks.values()].some((network) => network.name === input.name)) throw new BerthError('NETWORK_EXISTS', `network with name ${input.name} already exists`, { object: input.name });
      if (!DRIVERS.includes(driver)) throw new BerthError('DRIVER_NOT_FOUND', `plugin "${driver}" not found`, { object: driver });
      if ((input.ipam?.driver ?? 'default') !== 'default') throw new BerthError('IPAM_DRIVER_NOT_FOUND', `plugin "${input.ipam?.driver ?? ''}" not found`, { object: 'ipam' });
      for (const key of Object.keys(input.options ?? {})) {
        if (!key.startsWith('com.docker.network.')) throw new BerthError('INVALID_OPTION', `unknown ${driver} option ${key}`, { object: key });
      }
      const configs = input.ipam?.config ?? [];
      const ipv4 = configs.filter((config) => !(config.subnet ?? '').includes(':')).map((config) => this.#ipamRecord(config, this.#pool(config)));
      const ipv6 = input.enableIpv6 === true ? configs.filter((config) => (config.subnet ?? '').includes(':')).map((config) => this.#ipamRecord(config, config.subnet ?? 'fd00::/64')) : [];
      return this.#networkView(this.#addNetwork({ name: input.name, driver, predefined: false, ipv4: ipv4.length === 0 ? [this.#ipamRecord({}, this.#pool({}))] : ipv4, ipv6, input }));
    });
  }

  removeNetwork(idOrName: string): Promise<void> {
    return this.#async(() => {
      const network = this.#resolveNetwork(idOrName);
      if (network.predefined) throw new BerthError('PREDEFINED_NETWORK', `${network.name} is a pre-defined network and cannot be removed`, { object: network.name });
      const attached = [...this.endpoints.values()].filter((endpoint) => endpoint.networkId === network.id);
      if (attached[0] !== undefined) {
        const sandbox = this.sandboxes.get(attached[0].sandboxId);
        throw new BerthError('NETWORK_HAS_ENDPOINTS', `error while removing network: network ${network.name} has active endpoints (name:"${sandbox?.name ?? ''}" id:"${attached[0].id.slice(0, 12)}")`, { object: network.name });
      }
      this.networks.delete(network.id);
    });
  }

  pruneNetworks(keep?: (view: NetworkView) => boolean): Promise<readonly string[]> {
    return this.#async(() => {
      const removed: string[] = [];
      for (const view of this.listNetworks()) {
        if (view.network.predefined || view.endpoints.length > 0 || keep?.(view) === true) continue;
        this.networks.delete(view.network.id);
        removed.push(view.network.name);
      }
      return removed;
    });
  }

  connect(input: ConnectInput): Promise<SandboxView> {
    return this.#async(() => {
      const sandbox = this.#resolveSandbox(input.sandbox);
      this.#attach(sandbox, input);
      return this.#sandboxView(sandbox);
    });
  }

  disconnect(input: DisconnectInput): Promise<void> {
    return this.#async(() => {
      const network = this.#resolveNetwork(input.network);
      const sandbox = this.#resolveSandbox(input.sandbox);
      const endpoint = [...this.endpoints.values()].find((entry) => entry.networkId === network.id && entry.sandboxId === sandbox.id);
      if (endpoint === undefined) throw new BerthError('ENDPOINT_NOT_FOUND', `container ${sandbox.name} is not connected to network ${network.name}`, { object: sandbox.name });
      this.endpoints.delete(endpoint.id);
    });
  }

  listSandboxes(): readonly SandboxView[] {
    this.#maybeFail();
    return [...this.sandboxes.values()].map((sandbox) => this.#sandboxView(sandbox));
  }

  getSandbox(idOrName: string): SandboxView {
    this.#maybeFail();
    return this.#sandboxView(this.#resolveSandbox(idOrName));
  }

  createSandbox(input: CreateSandboxInput): Promise<SandboxView> {
    return this.#async(() => {
      const id = this.newId();
      const name = input.name ?? `berth-${id.slice(0, 6)}`;
      if (!NAME.test(name)) throw new BerthError('INVALID_ARGUMENT', `invalid sandbox name ${JSON.stringify(name)}`, { object: name });
      if ([...this.sandboxes.values()].some((sandbox) => sandbox.name === name)) throw new BerthError('SANDBOX_EXISTS', `Conflict. The container name "/${name}" is already in use`, { object: name });
      const sandbox: SandboxRecord = {
        id, name, created: this.#now().toISOString(), netnsPath: `/run/berth/netns/${id.slice(0, 12)}`, hostname: input.hostname ?? id.slice(0, 12),
        dns: { servers: input.dns?.servers ?? [], search: input.dns?.search ?? [], options: input.dns?.options ?? [] },
        extraHosts: input.extraHosts ?? [], labels: input.labels ?? {},
      };
      const networks = this.#resolveAll(input.networks ?? []);
      this.sandboxes.set(id, sandbox);
      try {
        networks.forEach((endpoint, index) => this.#attach(sandbox, index === 0 ? { ...endpoint, publish: input.ports ?? [] } : endpoint));
      } catch (error) {
        this.#dropSandbox(id);
        throw error;
      }
      return this.#sandboxView(sandbox);
    });
  }

  removeSandbox(input: RemoveSandboxInput): Promise<void> {
    return this.#async(() => this.#dropSandbox(this.#resolveSandbox(input.sandbox).id));
  }

  #resolveAll(endpoints: readonly EndpointInput[]): EndpointInput[] {
    return endpoints.map((endpoint) => ({ ...endpoint, network: this.#resolveNetwork(endpoint.network).id }));
  }

  #dropSandbox(id: string): void {
    for (const endpoint of [...this.endpoints.values()]) if (endpoint.sandboxId === id) this.endpoints.delete(endpoint.id);
    this.sandboxes.delete(id);
  }

  #attach(sandbox: SandboxRecord, input: EndpointInput): void {
    const network = this.#resolveNetwork(input.network);
    if (network.driver === 'null' || network.driver === 'host') throw new BerthError('INVALID_ARGUMENT', `container cannot be connected to network ${network.name}`, { object: network.name });
    if ([...this.endpoints.values()].some((entry) => entry.networkId === network.id && entry.sandboxId === sandbox.id)) {
      throw new BerthError('ENDPOINT_EXISTS', `endpoint with name ${sandbox.name} already exists in network ${network.name}`, { object: sandbox.name });
    }
    const address = this.#address(network, input.ipv4Address);
    const count = [...this.endpoints.values()].filter((entry) => entry.sandboxId === sandbox.id).length;
    const [ports, hostPort] = [input.publish ?? [], 32768 + this.#counter];
    const endpoint: EndpointRecord = {
      id: this.newId(), networkId: network.id, sandboxId: sandbox.id, name: sandbox.name, address,
      macAddress: `02:42:${(address.split('/')[0] ?? '').split('.').map((part) => Number(part).toString(16).padStart(2, '0')).join(':')}`,
      aliases: input.aliases ?? [], interfaceName: `eth${count}`, driverState: {}, created: this.#now().toISOString(),
      ...(input.ipv4Address === undefined ? {} : { staticAddress: input.ipv4Address }),
      ...(ports.length === 0 ? {} : { ports: ports.map((spec, index) => ({ hostIp: '0.0.0.0', hostPort: Number(spec.split(':')[0] ?? hostPort) || hostPort + index, containerIp: address.split('/')[0] ?? '', containerPort: Number(spec.split(':').pop()), protocol: 'tcp' as const })) }),
    };
    this.endpoints.set(endpoint.id, endpoint);
  }

  /** Static (checked) or next free IPv4 address of the network's first pool, with its prefix. */
  #address(network: NetworkRecord, wanted: string | undefined): string {
    const config = network.ipam.ipv4[0];
    if (config === undefined) throw new BerthError('NO_ADDRESS_AVAILABLE', `network ${network.name} has no IPv4 pool`, { object: network.name });
    const pool = parseCidr4(config.allocated.pool, 'subnet');
    const used = new Set([...this.endpoints.values()].filter((entry) => entry.networkId === network.id).map((entry) => entry.address?.split('/')[0]));
    const taken = (ip: string): boolean => used.has(ip) || ip === config.allocated.gateway || Object.values(config.allocated.auxAddresses).includes(ip);
    if (wanted !== undefined) {
      const value = ipToInt(wanted);
      if (config.requested.subnet === undefined) throw new BerthError('INVALID_ARGUMENT', 'user specified IP address is supported only when connecting to networks with user configured subnets', { object: wanted });
      if (value === undefined || !cidrContains(pool, value)) throw new BerthError('ADDRESS_OUT_OF_RANGE', `requested address ${wanted} is out of range of ${config.allocated.pool}`, { object: wanted });
      if (taken(wanted)) throw new BerthError('ADDRESS_IN_USE', `Address already in use: ${wanted}`, { object: wanted });
      return `${wanted}/${pool.prefix}`;
    }
    const range = config.requested.ipRange === undefined ? pool : parseCidr4(config.requested.ipRange, 'ip-range');
    for (let value = range.base + 1; value < range.base + cidrSize(range) - 1; value += 1) {
      if (!taken(intToIp(value))) return `${intToIp(value)}/${pool.prefix}`;
    }
    throw new BerthError('NO_ADDRESS_AVAILABLE', `no available IPv4 addresses on this network's address pools: ${network.name}`, { object: network.name });
  }

  /** The subnet a config asks for (checked for overlaps), or the next free 172.N.0.0/16. */
  #pool(config: IpamConfigInput): string {
    const inUse = [...this.networks.values()].flatMap((network) => network.ipam.ipv4.map((entry) => parseCidr4(entry.allocated.pool, 'subnet')));
    if (config.subnet !== undefined) {
      const subnet = parseCidr4(config.subnet, 'subnet');
      if (inUse.some((other) => cidrsOverlap(other, subnet))) throw new BerthError('POOL_OVERLAP', 'Pool overlaps with other one on this address space', { object: config.subnet });
      for (const [what, value] of [['ip-range', config.ipRange], ['gateway', config.gateway]] as const) {
        const inside = value === undefined || (what === 'gateway' ? cidrContains(subnet, ipToInt(value) ?? -1) : cidrsOverlap(subnet, parseCidr4(value, what)) && parseCidr4(value, what).prefix >= subnet.prefix);
        if (!inside) throw new BerthError('INVALID_ARGUMENT', `${what} ${value ?? ''} is not inside subnet ${config.subnet}`, { object: value });
      }
      return config.subnet;
    }
    for (let second = 18; second < 32; second += 1) {
      const candidate = `172.${second}.0.0/16`;
      if (!inUse.some((other) => cidrsOverlap(other, parseCidr4(candidate, 'subnet')))) return candidate;
    }
    throw new BerthError('NO_POOL_AVAILABLE', 'all predefined address pools have been fully subnetted', { object: 'pool' });
  }

  #ipamRecord(config: IpamConfigInput, pool: string): IpamConfigRecord {
    const firstHost = pool.includes(':') ? `${pool.split('/')[0] ?? ''}1` : intToIp(parseCidr4(pool, 'subnet').base + 1);
    return {
      requested: { ...config, auxAddresses: config.auxAddresses ?? {} },
      poolId: `pool-${pool}`,
      allocated: { pool, gateway: config.gateway ?? firstHost, auxAddresses: config.auxAddresses ?? {} },
    };
  }

  #addNetwork(spec: { name: string; driver: string; predefined: boolean; ipv4: IpamConfigRecord[]; ipv6?: IpamConfigRecord[]; input?: CreateNetworkInput }): NetworkRecord {
    const { input } = spec;
    const record: NetworkRecord = {
      id: this.newId(), name: spec.name, driver: spec.driver, scope: 'local', created: this.#now().toISOString(),
      internal: input?.internal ?? false, attachable: input?.attachable ?? false, enableIpv4: input?.enableIpv4 ?? true, enableIpv6: input?.enableIpv6 ?? false,
      options: input?.options ?? {}, labels: input?.labels ?? {},
      ipam: { driver: 'default', options: input?.ipam?.options ?? {}, ipv4: spec.ipv4, ipv6: spec.ipv6 ?? [] },
      predefined: spec.predefined, driverState: {},
    };
    this.networks.set(record.id, record);
    return record;
  }

  #resolveNetwork(idOrName: string): NetworkRecord {
    return resolve([...this.networks.values()], idOrName, 'network');
  }

  #resolveSandbox(idOrName: string): SandboxRecord {
    return resolve([...this.sandboxes.values()], idOrName, 'sandbox');
  }

  #networkView(network: NetworkRecord): NetworkView {
    const endpoints = [...this.endpoints.values()].filter((endpoint) => endpoint.networkId === network.id);
    return { network, endpoints: endpoints.map((endpoint) => ({ endpoint, sandbox: this.sandboxes.get(endpoint.sandboxId) })) };
  }

  #sandboxView(sandbox: SandboxRecord): SandboxView {
    const endpoints = [...this.endpoints.values()].filter((endpoint) => endpoint.sandboxId === sandbox.id);
    return { sandbox, endpoints: endpoints.flatMap((endpoint) => { const network = this.networks.get(endpoint.networkId); return network === undefined ? [] : [{ endpoint, network }]; }) };
  }

  #maybeFail(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
  }

  #async<T>(work: () => T): Promise<T> {
    try {
      this.#maybeFail();
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** Docker's lookup order: full id, exact name, unique id prefix. */
function resolve<T extends { readonly id: string; readonly name: string }>(records: readonly T[], idOrName: string, kind: 'network' | 'sandbox'): T {
  const code = kind === 'network' ? 'NETWORK' : 'SANDBOX';
  const exact = records.find((record) => record.id === idOrName) ?? records.find((record) => record.name === idOrName);
  if (exact !== undefined) return exact;
  const prefixed = idOrName === '' ? [] : records.filter((record) => record.id.startsWith(idOrName));
  if (prefixed.length > 1) throw new BerthError(`${code}_AMBIGUOUS`, `${kind} ${idOrName} is ambiguous (${prefixed.length} matches found based on ID prefix)`, { object: idOrName });
  const [only] = prefixed;
  if (only === undefined) throw new BerthError(`${code}_NOT_FOUND`, kind === 'network' ? `network ${idOrName} not found` : `No such container: ${idOrName}`, { object: idOrName });
  return only;
}
