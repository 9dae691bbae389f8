import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

/**
 * Docker plugin protocol fuzzing (issue H item 5): seeded random and mutated bodies to every
 * /NetworkDriver.* and /IpamDriver.* path of `berthd --docker-plugin`. berthd never crashes, every
 * error is JSON with an `Err` message, and once the networks and endpoints the fuzzer managed to
 * create are deleted through the protocol, no berth link is left in the lab host but berth0.
 */
const SEED = 20_241_125;

let rig: DaemonRig;
function socket(): string {
  return join(rig.lab.dir, 'p.sock');
}

beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-pf', args: (lab) => ['--docker-plugin', join(lab.dir, 'p.sock')] });
}, 60_000);
afterAll(async () => {
  await rig?.close();
});

/** One raw call on the plugin socket. */
function call(init: { readonly method?: string; readonly path: string; readonly body?: Buffer | undefined }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = init.body === undefined ? {} : { 'content-type': 'application/vnd.docker.plugins.v1+json', 'content-length': init.body.length };
    const req = request({ socketPath: socket(), method: init.method ?? 'POST', path: init.path, headers, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${init.path}`)));
    req.end(init.body);
  });
}

const NETWORK_PATHS = ['CreateNetwork', 'DeleteNetwork', 'AllocateNetwork', 'FreeNetwork', 'CreateEndpoint', 'EndpointOperInfo', 'DeleteEndpoint', 'Join', 'Leave',
  'ProgramExternalConnectivity', 'RevokeExternalConnectivity', 'DiscoverNew', 'DiscoverDelete', 'GetCapabilities'].map((name) => `/NetworkDriver.${name}`);
const IPAM_PATHS = ['GetCapabilities', 'GetDefaultAddressSpaces', 'RequestPool', 'ReleasePool', 'RequestAddress', 'ReleaseAddress'].map((name) => `/IpamDriver.${name}`);
const PATHS = ['/Plugin.Activate', ...NETWORK_PATHS, ...IPAM_PATHS];

/** A few IDs, so calls meet each other's networks, endpoints and pools. */
const id = fc.oneof(
  fc.constantFrom('a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.constantFrom('', '../../etc', 'x', 'a'.repeat(5000), '$(reboot)', 'é🙂', '\u0000'),
  fc.anything(),
);
const address = fc.oneof(fc.constantFrom('10.93.0.0/24', '10.93.0.1/24', '10.93.0.5/24', '10.94.0.0/16', 'fd93::/64', 'fd93::5/64', '0.0.0.0/0', '10.93.0.0/33', 'garbage', ''), fc.string({ maxLength: 20 }), fc.anything());
const generic = fc.oneof(
  fc.dictionary(fc.constantFrom('berth.driver', 'com.docker.network.bridge.name', 'com.docker.network.driver.mtu', 'com.docker.network.bridge.enable_icc', 'parent', 'x'), fc.oneof(fc.constantFrom('bridge', 'macvlan', 'ipvlan', 'nope', 'eth0', 'br-../x', '-1', '99999', 'maybe'), fc.string({ maxLength: 16 }), fc.anything())),
  fc.anything(),
);
const ipamData = fc.array(fc.record({ AddressSpace: fc.oneof(fc.constantFrom('LocalDefault', 'GlobalDefault'), fc.anything()), Pool: address, Gateway: address, AuxAddresses: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), address), fc.anything()) }, { requiredKeys: [] }), { maxLength: 2 });
const portMap = fc.array(fc.record({ Proto: fc.oneof(fc.constantFrom(6, 17, 132, 1, -1), fc.anything()), Port: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.anything()), HostIP: fc.oneof(fc.constantFrom('', '0.0.0.0', '127.0.0.1', '::'), fc.anything()), HostPort: fc.oneof(fc.integer({ min: -5, max: 70_000 }), fc.anything()), HostPortEnd: fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.anything()) }, { requiredKeys: [] }), { maxLength: 3 });

/** Valid-looking bodies of every call, with every field open to mutation. */
const protocolBody = fc.record({
  NetworkID: id,
  EndpointID: id,
  SandboxKey: fc.oneof(fc.constantFrom('/proc/1/ns/net', '/nonexistent', '/etc/passwd', ''), fc.anything()),
  Options: fc.oneof(fc.record({ 'com.docker.network.generic': generic, 'com.docker.network.enable_ipv6': fc.oneof(fc.boolean(), fc.anything()), 'com.docker.network.portmap': fc.oneof(portMap, fc.anything()) }, { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), fc.anything()),
  IPv4Data: fc.oneof(ipamData, fc.anything()),
  IPv6Data: fc.oneof(ipamData, fc.anything()),
  Interface: fc.oneof(fc.record({ Address: address, AddressIPv6: address, MacAddress: fc.oneof(fc.constantFrom('02:42:0a:5d:00:05', 'ff:ff:ff:ff:ff:ff', 'zz', ''), fc.anything()) }, { requiredKeys: [] }), fc.anything()),
  AddressSpace: fc.oneof(fc.constantFrom('LocalDefault', 'GlobalDefault', 'nope'), fc.anything()),
  Pool: address,
  SubPool: address,
  V6: fc.oneof(fc.boolean(), fc.anything()),
  PoolID: fc.oneof(fc.constantFrom('LocalDefault/10.93.0.0/24', 'LocalDefault/10.94.0.0/16', 'nope', ''), fc.string({ maxLength: 30 }), fc.anything()),
  Address: address,
}, { requiredKeys: [] });

/** Well-formed calls on four networks and endpoints, so the fuzzer also gets deep: joins, publishes, pools in use. */
const fixedId = fc.constantFrom('a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64));
const wellFormed = fc.record({
  NetworkID: fixedId,
  EndpointID: fixedId,
  SandboxKey: fc.constant('/proc/1/ns/net'),
  Options: fc.record({ 'com.docker.network.generic': fc.constantFrom({}, { 'com.docker.network.driver.mtu': '1400' }, { 'berth.driver': 'bridge' }), 'com.docker.network.portmap': portMap }, { requiredKeys: [] }),
  IPv4Data: fc.constantFrom([{ AddressSpace: 'LocalDefault', Pool: '10.93.0.0/24', Gateway: '10.93.0.1/24' }], [{ AddressSpace: 'LocalDefault', Pool: '10.96.0.0/24', Gateway: '10.96.0.1/24' }]),
  Interface: fc.constantFrom({ Address: '10.93.0.5/24' }, { Address: '10.96.0.7/24' }, {}),
  AddressSpace: fc.constant('LocalDefault'),
  Pool: fc.constantFrom('10.97.0.0/24', ''),
  PoolID: fc.constantFrom('LocalDefault/10.97.0.0/24'),
  Address: fc.constantFrom('10.97.0.9', ''),
}, { requiredKeys: ['NetworkID', 'EndpointID'] });

const deepJson = fc.integer({ min: 1000, max: 20_000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth)));
const body = fc.oneof(
  { weight: 6, arbitrary: protocolBody.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')) },
  { weight: 4, arbitrary: wellFormed.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '"x"', '[]', '7', '{"__proto__":{"polluted":1}}', '{"NetworkID":null}', `{"Options":{"x":"${'y'.repeat(2_000_000)}"}}`).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: deepJson },
);
const input = fc.record({
  path: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: fc.constantFrom('/NetworkDriver.Nope', '/IpamDriver.', '/Plugin.Activate/../NetworkDriver.Join', '/NetworkDriver.CreateNetwork?x=1', '//NetworkDriver.Join', '/') }),
  method: fc.oneof({ weight: 9, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE') }),
  body: fc.option(body, { nil: undefined }),
});

function pluginState(): { networks: Record<string, unknown>; endpoints: Record<string, { networkId: string }> } {
  return JSON.parse(readFileSync(join(rig.host.stateDir, 'docker-plugin.json'), 'utf8')) as ReturnType<typeof pluginState>;
}

describe('Docker plugin protocol fuzzing (fast-check, seeded) against berthd --docker-plugin', () => {
  test('random and mutated bodies on every path: never a crash, every error is JSON with a message', async () => {
    let created = 0;
    await fc.assert(fc.asyncProperty(input, async (sent) => {
      const reply = await call(sent);
      const what = `${sent.method} ${sent.path} → ${String(reply.status)} ${reply.text.slice(0, 300)}`;
      const parsed = JSON.parse(reply.text) as unknown;
      expect(typeof parsed === 'object' && parsed !== null, what).toBe(true);
      if (reply.status !== 200) {
        expect([404, 500], what).toContain(reply.status);
        expect((parsed as { Err?: unknown }).Err, what).toMatch(/.{3,}/);
      }
      if (reply.status === 200 && sent.path === '/NetworkDriver.CreateNetwork') created += 1;
      expect(rig.daemon.exitCode, what).toBeNull();
    }), { seed: SEED, numRuns: 1500, endOnFailure: true });
    console.log(`plugin fuzz: ${String(created)} networks created by fuzzed calls`);
    expect((await call({ path: '/Plugin.Activate' })).text).toContain('NetworkDriver');
  }, 240_000);

  test('a real sequence still works afterwards: create network, endpoint, join, publish, and all back', async () => {
    const networkId = 'f'.repeat(64);
    const endpointId = 'e'.repeat(64);
    const ok = async (path: string, payload: unknown): Promise<unknown> => {
      const reply = await call({ path, body: Buffer.from(JSON.stringify(payload)) });
      expect(reply.status, `${path}: ${reply.text}`).toBe(200);
      return JSON.parse(reply.text) as unknown;
    };
    await ok('/NetworkDriver.CreateNetwork', { NetworkID: networkId, Options: {}, IPv4Data: [{ AddressSpace: 'LocalDefault', Pool: '10.95.0.0/24', Gateway: '10.95.0.1/24' }] });
    await ok('/NetworkDriver.CreateEndpoint', { NetworkID: networkId, EndpointID: endpointId, Interface: { Address: '10.95.0.2/24' } });
    expect(await ok('/NetworkDriver.Join', { NetworkID: networkId, EndpointID: endpointId, SandboxKey: '/proc/1/ns/net' })).toMatchObject({ InterfaceName: { DstPrefix: 'eth' } });
    await ok('/NetworkDriver.Leave', { NetworkID: networkId, EndpointID: endpointId });
    await ok('/NetworkDriver.DeleteEndpoint', { NetworkID: networkId, EndpointID: endpointId });
    await ok('/NetworkDriver.DeleteNetwork', { NetworkID: networkId });
  });

  test('after deleting what the fuzzer created, through the protocol, no berth link is left in the lab host but berth0', async () => {
    const state = pluginState();
    for (const [endpointId, endpoint] of Object.entries(state.endpoints)) {
      for (const path of ['/NetworkDriver.RevokeExternalConnectivity', '/NetworkDriver.Leave', '/NetworkDriver.DeleteEndpoint']) {
        await call({ path, body: Buffer.from(JSON.stringify({ NetworkID: endpoint.networkId, EndpointID: endpointId })) });
      }
    }
    for (const networkId of Object.keys(state.networks)) {
      const reply = await call({ path: '/NetworkDriver.DeleteNetwork', body: Buffer.from(JSON.stringify({ NetworkID: networkId })) });
      expect(reply.status, reply.text).toBe(200);
    }
    expect(pluginState()).toMatchObject({ networks: {}, endpoints: {} });
    const links = (await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show'])).split('\n').filter((line) => line.trim() !== '');
    const names = links.map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? line);
    expect(names.filter((name) => /^(br-|bp|veth|berth|vx-|mv|iv)/.test(name) && name !== 'berth0')).toEqual([]);
    expect(rig.daemon.exitCode).toBeNull();
  });
});
