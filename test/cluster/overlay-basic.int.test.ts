import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCluster } from '../../src/lab/index.js';
import type { ClusterRig } from '../../src/lab/index.js';
import { berth, endpointOf, until, vxlanFdb, vxlanNeighbours } from './cluster-support.js';

let rig: ClusterRig;
let ov1: string;

beforeAll(async () => {
  rig = await startCluster({ hosts: 3, args: ['--dns-timeout', '500'] });
  const [one, two, three] = [rig.node(0), rig.node(1), rig.node(2)];
  ov1 = (await berth(one, ['network', 'create', '-d', 'overlay', '--attachable', '--subnet', '10.70.0.0/24', 'ov1'])).trim();
  for (const node of [two, three]) await until(`ov1 on ${node.host.name}`, async () => ((await node.api('GET', '/networks/ov1')).status === 200 ? true : undefined));
  await berth(two, ['run', '-d', '--name', 'alpha', '--network', 'ov1', '--', 'sleep', '600']);
  await berth(three, ['run', '-d', '--name', 'bravo', '--network', 'ov1', '--alias', 'bee', '--', 'sh', '-c', 'exec nc -l 7000 <<EOF\nhello-over-vxlan\nEOF']);
}, 90_000);
afterAll(async () => {
  await rig.close();
});

describe('overlay network across three hosts', () => {
  test('created on host 1, it is listed and inspectable on every host, with scope global', async () => {
    for (const node of rig.nodes) {
      const reply = await node.api('GET', '/networks/ov1');
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ Id: ov1, Driver: 'overlay', Scope: 'global', Attachable: true });
    }
  });

  test('sandboxes on hosts 2 and 3 get distinct addresses, MTU uplink − 50, and reach each other by IP', async () => {
    const [two, three] = [rig.node(1), rig.node(2)];
    const a = await endpointOf(two, { name: 'alpha', network: 'ov1' });
    const b = await endpointOf(three, { name: 'bravo', network: 'ov1' });
    expect(a.ip).not.toBe(b.ip);
    // The lab uplinks have MTU 1500.
    expect(await berth(two, ['exec', 'alpha', '--', 'ip', '-o', 'link', 'show', 'eth0'])).toContain(' mtu 1450 ');
    const ping = await until('ping a → b', async () => berth(two, ['exec', 'alpha', '--', 'ping', '-c', '1', '-W', '1', b.ip]));
    expect(ping).toContain('1 received');
  });

  test('names resolve across hosts (dig from the sandboxes), aliases too, and TCP works by name', async () => {
    const [two, three] = [rig.node(1), rig.node(2)];
    const a = await endpointOf(two, { name: 'alpha', network: 'ov1' });
    const b = await endpointOf(three, { name: 'bravo', network: 'ov1' });
    expect((await berth(two, ['exec', 'alpha', '--', 'dig', '+short', 'bravo'])).trim()).toBe(b.ip);
    expect((await berth(two, ['exec', 'alpha', '--', 'dig', '+short', 'bee.ov1'])).trim()).toBe(b.ip);
    expect((await berth(three, ['exec', 'bravo', '--', 'dig', '+short', 'alpha'])).trim()).toBe(a.ip);
    expect(await berth(two, ['exec', 'alpha', '--', 'nc', '-w', '3', 'bravo', '7000'])).toContain('hello-over-vxlan');
  });

  test('host 2 holds static FDB entries (remote MAC → host 3 VTEP, all-zeros flood to hosts 1 and 3) and a neighbour entry', async () => {
    const [one, two, three] = [rig.node(0), rig.node(1), rig.node(2)];
    const b = await endpointOf(three, { name: 'bravo', network: 'ov1' });
    const fdb = await vxlanFdb(two, ov1);
    expect(fdb).toContain(`${b.mac} dst ${three.host.ip} self permanent`);
    expect(fdb).toContain(`00:00:00:00:00:00 dst ${three.host.ip} self permanent`);
    expect(fdb).not.toContain(`dst ${one.host.ip}`);
    expect(await vxlanNeighbours(two, ov1)).toContain(`${b.ip} lladdr ${b.mac} PERMANENT`);
    const details = await two.run(['ip', '-d', 'link', 'show', `vx-${ov1.slice(0, 12)}`]);
    expect(details).toMatch(/vxlan id 4096 local 198\.18\.0\.3 .*dstport 4789 nolearning/);
  });

  test('frames between hosts cross the lab switch as VXLAN (UDP 4789) with the network VNI', async () => {
    const [two, three] = [rig.node(1), rig.node(2)];
    const b = await endpointOf(three, { name: 'bravo', network: 'ov1' });
    // Only host 2 → host 3: sandboxes elsewhere flood multicast (IPv6 router solicitations) to every VTEP.
    const dump = rig.lab.spawn(rig.lab.router.netns, ['tcpdump', '-i', 'switch', '-nn', '-l', '-c', '2', 'udp', 'port', '4789', 'and', 'src', 'host', two.host.ip, 'and', 'dst', 'host', three.host.ip]);
    const output: string[] = [];
    dump.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await until('tcpdump listening', async () => new Promise<true>((resolve) => dump.stderr?.once('data', () => resolve(true))), 5000);
    await berth(two, ['exec', 'alpha', '--', 'ping', '-c', '2', '-W', '1', b.ip]);
    await Promise.race([once(dump, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    dump.kill('SIGKILL');
    const text = output.join('');
    expect(text).toMatch(/198\.18\.0\.3\.\d+ > 198\.18\.0\.4\.4789: VXLAN, flags \[I\] \(0x08\), vni 4096/);
  });

  test('overlay sandboxes reach outside through the gateway bridge (default route, masquerade); internal overlays get none', async () => {
    const [one, two] = [rig.node(0), rig.node(1)];
    const routes = await berth(two, ['exec', 'alpha', '--', 'ip', 'route']);
    expect(routes).toMatch(/^default via \S+ dev eth1/m);
    expect(await berth(two, ['exec', 'alpha', '--', 'ping', '-c', '1', '-W', '2', rig.lab.router.ip])).toContain('1 received');
    const listed = (await two.api('GET', '/networks/berth_gwbridge')).body as { Driver: string; Scope: string; Options: Record<string, string> };
    expect(listed).toMatchObject({ Driver: 'bridge', Scope: 'local', Options: { 'com.docker.network.bridge.enable_icc': 'false' } });
    await berth(one, ['network', 'create', '-d', 'overlay', '--internal', '--subnet', '10.72.0.0/24', 'ovi']);
    await berth(one, ['run', '-d', '--name', 'india', '--network', 'ovi', '--', 'sleep', '600']);
    expect(await berth(one, ['exec', 'india', '--', 'ip', 'route'])).not.toContain('default');
    await berth(one, ['rm', '-f', 'india']);
    await berth(one, ['network', 'rm', 'ovi']);
  });

  test('two overlay networks are isolated from each other', async () => {
    const [one, two] = [rig.node(0), rig.node(1)];
    const ov2 = (await berth(one, ['network', 'create', '-d', 'overlay', '--subnet', '10.71.0.0/24', 'ov2'])).trim();
    await berth(one, ['run', '-d', '--name', 'charlie', '--network', 'ov2', '--', 'sleep', '600']);
    const charlie = await endpointOf(one, { name: 'charlie', network: 'ov2' });
    const inspect = (await two.api('GET', '/networks/ov2')).body as { Id: string };
    expect(inspect.Id).toBe(ov2);
    const vni = await one.run(['ip', '-d', 'link', 'show', `vx-${ov2.slice(0, 12)}`]);
    expect(vni).toContain('vxlan id 4097');
    const result = await two.berth(['exec', 'alpha', '--', 'ping', '-c', '1', '-W', '1', charlie.ip]);
    expect(result.exitCode).not.toBe(0);
    expect((await berth(two, ['exec', 'alpha', '--', 'dig', '+short', 'charlie'])).trim()).toBe('');
    await berth(one, ['rm', '-f', 'charlie']);
    await berth(two, ['network', 'rm', 'ov2']);
  });

  test('network rm anywhere is refused while any host has an endpoint, and removes it everywhere once none is left', async () => {
    const [one, two, three] = [rig.node(0), rig.node(1), rig.node(2)];
    const refused = await one.api('DELETE', '/networks/ov1');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('has active endpoints');
    await berth(two, ['rm', '-f', 'alpha']);
    await berth(three, ['rm', '-f', 'bravo']);
    const removed = await one.api('DELETE', '/networks/ov1');
    expect(removed.status).toBe(204);
    for (const node of [two, three]) {
      await until(`ov1 gone on ${node.host.name}`, async () => ((await node.api('GET', '/networks/ov1')).status === 404 ? true : undefined));
      expect(await node.run(['ip', '-o', 'link', 'show'])).not.toContain(`vx-${ov1.slice(0, 12)}`);
    }
  });
});
