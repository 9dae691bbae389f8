import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { HELLO, berthOk, fetchEventually, fetchFrom, inspect, makeWebRoot } from './ports-support.js';
import { inLabHost, within } from './firewall-heal-support.js';

/** Link removals are seen at once; namespaces every 5 s. */
const REPAIR_LIMIT_MS = 8000;

interface NetworkInspect {
  readonly Containers: Record<string, { Name: string; IPv4Address: string }>;
  readonly Berth?: { Status: string; Warnings: { Problem: string; Action: string; Repaired: boolean }[] };
}

let rig: DaemonRig;
let www: ReturnType<typeof makeWebRoot>;
beforeAll(async () => {
  rig = await startDaemon();
  www = makeWebRoot();
  await berthOk(rig, ['network', 'create', '--subnet', '10.98.1.0/24', 'front']);
  await berthOk(rig, ['run', '-d', '--name', 'web', '--network', 'front', '--alias', 'site', '-p', '8080:80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www.dir]);
  await berthOk(rig, ['run', '-d', '--name', 'client', '--network', 'front', '--', 'sleep', '600']);
  expect(await fetchEventually(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
}, 60_000);
afterAll(async () => {
  await rig.close();
  www.remove();
});

async function network(name: string): Promise<NetworkInspect> {
  return (await rig.api('GET', `/networks/${name}`)).body as NetworkInspect;
}

async function bridgeName(): Promise<string> {
  const body = (await rig.api('GET', '/networks/front')).body as { Id: string };
  return `br-${body.Id.slice(0, 12)}`;
}

async function hostLinks(): Promise<string> {
  return inLabHost(rig, ['ip', '-o', 'link', 'show']);
}

/** The client reaches web by name over the bridge. */
async function clientReachesWeb(): Promise<boolean> {
  const client = (await inspect(rig, 'client')).NetworkSettings.SandboxKey;
  const web = (await inspect(rig, 'web')).NetworkSettings.Networks['front']?.IPAddress ?? '';
  return (await fetchFrom(client, `http://${web}:80/`)) === HELLO;
}

describe('kernel objects removed behind berth\'s back', () => {
  test('a deleted bridge is re-created with its veths on it; network inspect says so', async () => {
    const bridge = await bridgeName();
    await inLabHost(rig, ['ip', 'link', 'delete', bridge]);
    expect(await within(REPAIR_LIMIT_MS, async () => (await hostLinks()).includes(`${bridge}:`) && (await clientReachesWeb()))).toBeDefined();
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    const shown = await network('front');
    expect(shown.Berth?.Status).toBe('repaired');
    expect(shown.Berth?.Warnings.some((warning) => warning.Problem === `bridge ${bridge} was deleted` && warning.Repaired)).toBe(true);
    expect(rig.output.join('')).toContain('kernel object removed behind berth');
  });

  test('a deleted host veth: the sandbox is connected again with the same address, alias and published port', async () => {
    const before = (await inspect(rig, 'web')).NetworkSettings.Networks['front']?.IPAddress ?? '';
    const links = await hostLinks();
    const webEndpoint = Object.values((await network('front')).Containers).find((entry) => entry.Name === 'web');
    expect(webEndpoint).toBeDefined();
    const endpointId = ((await rig.api('GET', '/containers/web/json')).body as { NetworkSettings: { Networks: Record<string, { EndpointID: string }> } }).NetworkSettings.Networks['front']?.EndpointID ?? '';
    const veth = new RegExp(`^\\d+: ([^@:]+)@[^\\n]*alias berth:[0-9a-f]{64}:${endpointId}`, 'm').exec(links)?.[1];
    expect(veth, links).toBeDefined();
    await inLabHost(rig, ['ip', 'link', 'delete', veth ?? '']);
    expect(await within(REPAIR_LIMIT_MS, async () => (await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)) === HELLO)).toBeDefined();
    expect((await inspect(rig, 'web')).NetworkSettings.Networks['front']?.IPAddress).toBe(before);
    expect(await clientReachesWeb()).toBe(true);
    const client = (await inspect(rig, 'client')).NetworkSettings.SandboxKey;
    expect(await rig.lab.run({ path: client }, ['dig', '+short', '+tries=1', '+time=2', '@127.0.0.11', 'site'])).toContain(before.split('/')[0] ?? '');
    expect((await network('front')).Berth?.Warnings.some((warning) => warning.Problem.includes(`interface ${veth ?? ''}`) && warning.Repaired)).toBe(true);
  });

  test('a sandbox namespace unmounted by hand: the sandbox is removed, its address freed, no link left', async () => {
    // A sandbox without a process: nothing else holds its namespace, so unmounting it (as a careless admin might) ends it.
    expect((await rig.api('POST', '/berth/sandboxes', { Name: 'doomed', Networks: [{ Network: 'front' }] })).status).toBe(201);
    const key = (await inspect(rig, 'doomed')).NetworkSettings.SandboxKey;
    await inLabHost(rig, ['umount', key]);
    await inLabHost(rig, ['rm', '-f', key]);
    expect(await within(REPAIR_LIMIT_MS, async () => !Object.values((await network('front')).Containers).some((entry) => entry.Name === 'doomed'))).toBeDefined();
    expect((await rig.api('GET', '/containers/doomed/json')).status).toBe(404);
    expect((await network('front')).Berth?.Warnings.some((warning) => warning.Problem === 'namespace of sandbox doomed is gone')).toBe(true);
    const vethCount = (await hostLinks()).split('\n').filter((line) => /alias berth:[0-9a-f]{64}:/.test(line)).length;
    expect(vethCount).toBe(Object.keys((await network('front')).Containers).length);
  });
});
