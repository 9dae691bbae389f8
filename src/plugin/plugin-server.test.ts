import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { DriverEndpoint, DriverNetwork, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, PortBinding, PortMapping, PortPublisher, SandboxTarget } from '../driver-api/index.js';
import { BerthError } from '../errors/index.js';
import { DefaultIpam } from '../../ipam/index.js';
import { SILENT_LOGGER } from '../controller/logger.js';
import { listenUnix } from '../api/index.js';
import { IpamPlugin, NetworkPlugin, PluginState, createPluginServer, portBindings } from './index.js';

/** A driver that records calls instead of touching the kernel (unit test of the protocol layer). */
class RecordingDriver implements NetworkDriver, PortPublisher {
  readonly name = 'bridge';
  readonly capabilities = { dataScope: 'local', connectivityScope: 'local' } as const;
  readonly calls: string[] = [];

  planNetwork(request: NetworkRequest): NetworkPlan {
    if (request.options['com.docker.network.bridge.enable_icc'] === 'maybe') throw new BerthError('INVALID_OPTION', 'enable_icc: expected true or false', { object: 'enable_icc' });
    return { driver: this.name, networkId: request.id, state: { options: { ...request.options }, internal: request.internal } };
  }

  createNetwork(plan: NetworkPlan, ipam: NetworkIpam): Promise<NetworkPlan['state']> {
    this.calls.push(`createNetwork ${plan.networkId} ${ipam.ipv4[0]?.pool ?? ''} gw ${ipam.ipv4[0]?.gateway ?? ''}`);
    return Promise.resolve(plan.state);
  }

  removeNetwork(network: DriverNetwork): Promise<void> {
    this.calls.push(`removeNetwork ${network.id}`);
    return Promise.resolve();
  }

  createEndpoint(_network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    this.calls.push(`createEndpoint ${endpoint.id} ${endpoint.address ?? ''}`);
    return Promise.resolve({ id: endpoint.id, macAddress: endpoint.macAddress ?? '02:42:ac:11:00:02', state: {}, ...(endpoint.address === undefined ? {} : { address: endpoint.address }) });
  }

  removeEndpoint(_network: DriverNetwork, endpoint: DriverEndpoint): Promise<void> {
    this.calls.push(`removeEndpoint ${endpoint.id}`);
    return Promise.resolve();
  }

  join(network: DriverNetwork, _endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    this.calls.push(`join ${sandbox.interfaceName} in ${sandbox.netnsPath}`);
    const gateway = network.ipam.ipv4[0]?.gateway;
    return Promise.resolve({ interface: { sourceName: sandbox.interfaceName, inSandbox: false }, staticRoutes: [{ destination: '10.9.0.0/16', nextHop: '10.1.0.254' }], disableGatewayService: false, ...(gateway === undefined ? {} : { gateway }) });
  }

  leave(_network: DriverNetwork, _endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<void> {
    this.calls.push(`leave ${sandbox.interfaceName}`);
    return Promise.resolve();
  }

  publishPorts(_network: DriverNetwork, endpoint: DriverEndpoint, bindings: readonly PortBinding[]): Promise<readonly PortMapping[]> {
    this.calls.push(`publish ${bindings.map((binding) => `${binding.hostIp ?? '*'}:${binding.hostPort}->${binding.containerPort}/${binding.protocol}`).join(',')}`);
    return Promise.resolve(bindings.map((binding) => ({ hostIp: binding.hostIp ?? '0.0.0.0', hostPort: binding.hostPort, containerIp: (endpoint.address ?? '').split('/')[0] ?? '', containerPort: binding.containerPort, protocol: binding.protocol })));
  }

  unpublishPorts(_network: DriverNetwork, mappings: readonly PortMapping[]): Promise<void> {
    this.calls.push(`unpublish ${mappings.length}`);
    return Promise.resolve();
  }

  restorePorts(): Promise<void> {
    return Promise.resolve();
  }
}

let dir: string;
let server: Server;
let driver: RecordingDriver;

async function call(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = request({ socketPath: join(dir, 'plugin.sock'), method: 'POST', path, headers: { Accept: 'application/vnd.docker.plugins.v1.2+json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-plugin-'));
  driver = new RecordingDriver();
  const state = PluginState.open(join(dir, 'state.json'));
  const network = new NetworkPlugin({ drivers: new Map([['bridge', driver]]), state, hostNetnsPath: '/proc/1/ns/net', log: SILENT_LOGGER });
  server = createPluginServer({ network, ipam: new IpamPlugin({ ipam: new DefaultIpam(), state }), log: SILENT_LOGGER });
  await listenUnix(server, join(dir, 'plugin.sock'));
});

afterEach(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const NET = 'a'.repeat(64);
const EP = 'b'.repeat(64);

describe('Docker plugin protocol', () => {
  test('Activate and capabilities', async () => {
    expect((await call('/Plugin.Activate')).body).toEqual({ Implements: ['NetworkDriver', 'IpamDriver'] });
    expect((await call('/NetworkDriver.GetCapabilities')).body).toEqual({ Scope: 'local', ConnectivityScope: 'local' });
    expect((await call('/IpamDriver.GetDefaultAddressSpaces')).body).toEqual({ LocalDefaultAddressSpace: 'LocalDefault', GlobalDefaultAddressSpace: 'GlobalDefault' });
  });

  test('a container\'s life: create network, endpoint, join (SrcName in the host namespace), ports, leave, delete', async () => {
    const ipv4 = [{ AddressSpace: 'LocalDefault', Pool: '10.1.0.0/24', Gateway: '10.1.0.1/24', AuxAddresses: {} }];
    expect(await call('/NetworkDriver.CreateNetwork', { NetworkID: NET, Options: { 'com.docker.network.generic': { 'com.docker.network.bridge.enable_icc': 'false' } }, IPv4Data: ipv4, IPv6Data: [] })).toEqual({ status: 200, body: {} });
    expect(driver.calls).toEqual([`createNetwork ${NET} 10.1.0.0/24 gw 10.1.0.1`]);
    const created = await call('/NetworkDriver.CreateEndpoint', { NetworkID: NET, EndpointID: EP, Interface: { Address: '10.1.0.2/24', AddressIPv6: '', MacAddress: '' }, Options: {} });
    expect(created.body).toEqual({ Interface: { MacAddress: '02:42:ac:11:00:02' } });
    const joined = await call('/NetworkDriver.Join', { NetworkID: NET, EndpointID: EP, SandboxKey: '/var/run/docker/netns/abc', Options: {} });
    expect(joined.body).toEqual({
      InterfaceName: { SrcName: `bp${EP.slice(0, 11)}`, DstPrefix: 'eth' }, Gateway: '10.1.0.1',
      StaticRoutes: [{ Destination: '10.9.0.0/16', RouteType: 0, NextHop: '10.1.0.254' }], DisableGatewayService: false,
    });
    expect(driver.calls).toContain(`join bp${EP.slice(0, 11)} in /proc/1/ns/net`);
    await call('/NetworkDriver.ProgramExternalConnectivity', { NetworkID: NET, EndpointID: EP, Options: { 'com.docker.network.portmap': [{ Proto: 6, IP: '', Port: 80, HostIP: '', HostPort: 8080, HostPortEnd: 8080 }, { Proto: 17, Port: 53, HostIP: '127.0.0.1', HostPort: 5353 }] } });
    expect(driver.calls).toContain('publish *:8080->80/tcp,127.0.0.1:5353->53/udp');
    expect((await call('/NetworkDriver.EndpointOperInfo', { NetworkID: NET, EndpointID: EP })).body).toEqual({ Value: { id: EP, macAddress: '02:42:ac:11:00:02', ports: ['0.0.0.0:8080->80/tcp', '127.0.0.1:5353->53/udp'] } });
    await call('/NetworkDriver.RevokeExternalConnectivity', { NetworkID: NET, EndpointID: EP });
    expect((await call('/NetworkDriver.Leave', { NetworkID: NET, EndpointID: EP })).body).toEqual({});
    expect((await call('/NetworkDriver.DeleteEndpoint', { NetworkID: NET, EndpointID: EP })).body).toEqual({});
    expect((await call('/NetworkDriver.DeleteEndpoint', { NetworkID: NET, EndpointID: EP })).body).toEqual({});
    expect((await call('/NetworkDriver.DeleteNetwork', { NetworkID: NET })).body).toEqual({});
    expect(driver.calls.filter((entry) => !entry.startsWith('publish')).slice(3)).toEqual(['unpublish 2', `leave bp${EP.slice(0, 11)}`, `removeEndpoint ${EP}`, `removeNetwork ${NET}`]);
  });

  test('errors: 500 with Err and Error naming the reason; unknown paths are 404', async () => {
    const bad = await call('/NetworkDriver.CreateNetwork', { NetworkID: NET, Options: { 'com.docker.network.generic': { 'berth.driver': 'nope' } }, IPv4Data: [], IPv6Data: [] });
    expect(bad.status).toBe(500);
    expect(bad.body['Err']).toContain('berth.driver=nope');
    expect(bad.body['Error']).toBe(bad.body['Err']);
    const option = await call('/NetworkDriver.CreateNetwork', { NetworkID: NET, Options: { 'com.docker.network.generic': { 'com.docker.network.bridge.enable_icc': 'maybe' } }, IPv4Data: [], IPv6Data: [] });
    expect(option.body['Err']).toContain('enable_icc');
    expect((await call('/NetworkDriver.Join', { NetworkID: NET, EndpointID: EP })).body['Err']).toContain('not a berth network');
    expect((await call('/NetworkDriver.CreateNetwork', {})).body['Err']).toContain('NetworkID is required');
    expect((await call('/NetworkDriver.Nonsense')).status).toBe(404);
    expect(driver.calls).toEqual([]);
  });

  test('IPAM: pool, gateway request, addresses, release', async () => {
    const pool = await call('/IpamDriver.RequestPool', { AddressSpace: 'LocalDefault', Pool: '10.5.0.0/24', SubPool: '', Options: {}, V6: false });
    expect(pool.body).toEqual({ PoolID: 'LocalDefault/10.5.0.0/24', Pool: '10.5.0.0/24', Data: {} });
    expect((await call('/IpamDriver.RequestAddress', { PoolID: 'LocalDefault/10.5.0.0/24', Address: '', Options: { RequestAddressType: 'com.docker.network.gateway' } })).body).toEqual({ Address: '10.5.0.1/24', Data: {} });
    expect((await call('/IpamDriver.RequestAddress', { PoolID: 'LocalDefault/10.5.0.0/24', Address: '', Options: {} })).body).toEqual({ Address: '10.5.0.2/24', Data: {} });
    const overlap = await call('/IpamDriver.RequestPool', { AddressSpace: 'LocalDefault', Pool: '10.5.0.0/16', V6: false });
    expect(overlap.status).toBe(500);
    expect(overlap.body['Error']).toMatch(/overlap/i);
    expect((await call('/IpamDriver.ReleaseAddress', { PoolID: 'LocalDefault/10.5.0.0/24', Address: '10.5.0.2' })).body).toEqual({});
    expect((await call('/IpamDriver.ReleasePool', { PoolID: 'LocalDefault/10.5.0.0/24' })).body).toEqual({});
    expect((await call('/IpamDriver.RequestPool', { AddressSpace: 'LocalDefault', Pool: '10.5.0.0/16', V6: false })).status).toBe(200);
  });

  test('port bindings: protocols by number, bad entries named', () => {
    expect(portBindings({ 'com.docker.network.portmap': [{ Proto: 132, Port: 9, HostPort: 0 }] })).toEqual([{ hostPort: 0, containerPort: 9, protocol: 'sctp' }]);
    expect(() => portBindings({ 'com.docker.network.portmap': [{ Proto: 99, Port: 9 }] })).toThrow(/portmap\[0\]/);
    expect(portBindings({})).toEqual([]);
  });
});
