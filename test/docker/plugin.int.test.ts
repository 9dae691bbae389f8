import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUSYBOX_PAGE, importBusyboxImage, startDaemon, startDockerd } from '../../src/lab/index.js';
import type { DaemonRig, DockerdRig } from '../../src/lab/index.js';
import { fetchFrom } from '../daemon/ports-support.js';

/**
 * A real dockerd (Debian's docker.io) in a lab, using berthd as its network driver and IPAM
 * plugin ("berth", found through a spec file in dockerd's private /etc/docker/plugins).
 */
let rig: DaemonRig;
let dockerd: DockerdRig;

function pluginSocket(): string {
  return join(rig.lab.dir, 'berth-plugin.sock');
}

beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-dk', args: (lab) => ['--docker-plugin', join(lab.dir, 'berth-plugin.sock')] });
  dockerd = await startDockerd(rig.lab, { host: rig.host, pluginSocket: pluginSocket() });
  await importBusyboxImage(rig.lab, dockerd);
}, 120_000);

afterAll(async () => {
  await dockerd?.stop();
  await rig?.close();
}, 60_000);

async function docker(args: readonly string[]): Promise<string> {
  const result = await dockerd.docker(args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function pluginState(): { networks: Record<string, { driver: string }>; endpoints: Record<string, unknown>; pools: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(rig.host.stateDir, 'docker-plugin.json'), 'utf8')) as ReturnType<typeof pluginState>;
}

async function fetchEventually(netnsPath: string, url: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const body = await fetchFrom(netnsPath, url);
    if (body !== undefined) return body;
    await sleep(150);
  }
  return undefined;
}

describe('berth as a Docker network and IPAM plugin, driven by a real dockerd', () => {
  test('docker network create -d berth makes a berth bridge; -p publishes in the kernel; containers ping by name', async () => {
    const id = await docker(['network', 'create', '-d', 'berth', '--subnet', '10.77.0.0/24', 'bnet']);
    expect(await rig.lab.run(rig.host.netns, ['ip', '-br', 'link', 'show', `br-${id.slice(0, 12)}`])).toContain(`br-${id.slice(0, 12)}`);
    expect(pluginState().networks[id]?.driver).toBe('bridge');
    await docker(['run', '-d', '--name', 'web', '--network', 'bnet', '-p', '8080:80', 'bb:latest', 'httpd', '-f', '-p', '80', '-h', '/www']);
    // From outside the host (the lab router) and from the host itself, through berth's nft DNAT map.
    expect(await fetchEventually(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(BUSYBOX_PAGE);
    expect(await fetchFrom(rig.host.netns.path, `http://${rig.host.ip}:8080/`)).toBe(BUSYBOX_PAGE);
    expect(await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish4-any'])).toContain('tcp . 8080 : 10.77.0.2 . 80');
    // Docker's own embedded DNS answers names on the berth network.
    expect(await docker(['run', '--rm', '--network', 'bnet', 'bb:latest', 'ping', '-c', '1', '-W', '2', 'web'])).toContain('1 packets received');
    const ip = await docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'web']);
    expect(ip).toBe('10.77.0.2');
  }, 90_000);

  test('--ipam-driver berth: the pool and addresses come from berth', async () => {
    await docker(['network', 'create', '-d', 'berth', '--ipam-driver', 'berth', 'bipam']);
    const subnet = await docker(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', 'bipam']);
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(Object.values(pluginState().pools).length).toBeGreaterThan(0);
    await docker(['run', '-d', '--name', 'pooled', '--network', 'bipam', 'bb:latest', 'sleep', '300']);
    const ip = await docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'pooled']);
    const pool = Object.values(pluginState().pools)[0] as { addresses: string[] };
    expect(pool.addresses).toContain(ip);
    await docker(['rm', '-f', 'pooled']);
    await docker(['network', 'rm', 'bipam']);
    expect(pluginState().pools).toEqual({});
  }, 90_000);

  test('errors from berth reach the docker CLI', async () => {
    const bad = await dockerd.docker(['network', 'create', '-d', 'berth', '-o', 'berth.driver=overlay-nope', 'broken']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('berth.driver=overlay-nope');
    const option = await dockerd.docker(['network', 'create', '-d', 'berth', '-o', 'com.docker.network.bridge.enable_icc=maybe', 'broken2']);
    expect(option.exitCode).not.toBe(0);
    expect(option.stderr).toMatch(/enable_icc/);
  }, 60_000);

  test('macvlan through the plugin: a container on the lab LAN reaches the lab router', async () => {
    await docker(['network', 'create', '-d', 'berth', '-o', 'berth.driver=macvlan', '-o', 'parent=eth0', '--subnet', '198.18.0.0/24', '--gateway', '198.18.0.1', '--ip-range', '198.18.0.200/29', 'lan']);
    expect(await docker(['run', '--rm', '--network', 'lan', 'bb:latest', 'ping', '-c', '1', '-W', '2', '198.18.0.1'])).toContain('1 packets received');
    await docker(['network', 'rm', 'lan']);
  }, 90_000);

  test('berthd restarts (kill -9) while containers run: they keep working and dockerd\'s next calls succeed', async () => {
    await rig.kill();
    await rig.start();
    expect(await fetchEventually(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(BUSYBOX_PAGE);
    await docker(['run', '-d', '--name', 'web2', '--network', 'bnet', '-p', '8081:80', 'bb:latest', 'httpd', '-f', '-p', '80', '-h', '/www']);
    expect(await fetchEventually(rig.lab.router.netns.path, `http://${rig.host.ip}:8081/`)).toBe(BUSYBOX_PAGE);
    await docker(['rm', '-f', 'web2']);
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8081/`)).toBeUndefined();
  }, 90_000);

  test('docker network rm leaves no berth object', async () => {
    const id = await docker(['network', 'inspect', '-f', '{{.Id}}', 'bnet']);
    await docker(['rm', '-f', 'web']);
    await docker(['network', 'rm', 'bnet']);
    const links = await rig.lab.run(rig.host.netns, ['ip', '-br', 'link']);
    expect(links).not.toContain(`br-${id.slice(0, 12)}`);
    expect(links).not.toMatch(/^bp/m);
    const table = await rig.lab.run(rig.host.netns, ['nft', 'list', 'table', 'inet', 'berth']);
    expect(table).not.toContain(id.slice(0, 12));
    expect(table).not.toContain('8080');
    expect(pluginState()).toEqual({ networks: {}, endpoints: {}, pools: {} });
  }, 60_000);

  test('dockerd restarts: its berth network is still there and works', async () => {
    await docker(['network', 'create', '-d', 'berth', '--subnet', '10.78.0.0/24', 'again']);
    await dockerd.stop();
    dockerd = await startDockerd(rig.lab, { host: rig.host, pluginSocket: pluginSocket() });
    expect(await docker(['run', '--rm', '--network', 'again', 'bb:latest', 'ping', '-c', '1', '-W', '2', '10.78.0.1'])).toContain('1 packets received');
    await docker(['network', 'rm', 'again']);
    expect(pluginState().networks).toEqual({});
  }, 120_000);
});
