import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import { startCluster } from '../../src/lab/index.js';
import type { ClusterRig } from '../../src/lab/index.js';
import { berth, endpointOf, killSandboxProcesses, until, vxlanFdb, vxlanNeighbours } from './cluster-support.js';

/** Seconds: a dead host's peers go this long after its last lease renewal. */
const LEASE_TTL = 2;

let rig: ClusterRig;
let ov: string;

beforeAll(async () => {
  rig = await startCluster({ hosts: 3, args: ['--dns-timeout', '500', '--cluster-lease-ttl', String(LEASE_TTL)] });
  const [one, two, three] = [rig.node(0), rig.node(1), rig.node(2)];
  ov = (await berth(one, ['network', 'create', '-d', 'overlay', '--subnet', '10.90.0.0/24', 'ov'])).trim();
  for (const node of [two, three]) await until(`ov on ${node.host.name}`, async () => ((await node.api('GET', '/networks/ov')).status === 200 ? true : undefined));
  await berth(one, ['run', '-d', '--name', 'xray', '--network', 'ov', '--', 'sleep', '600']);
  await berth(two, ['run', '-d', '--name', 'yankee', '--network', 'ov', '--', 'sleep', '600']);
  await berth(three, ['run', '-d', '--name', 'zulu', '--network', 'ov', '--', 'sleep', '600']);
}, 90_000);
afterAll(async () => {
  await rig.close();
});

describe('hosts and etcd failing', () => {
  test('a host killed (berthd kill -9, its sandboxes gone): its FDB, neighbour and DNS entries vanish from the peers after the lease', async () => {
    const [one, three] = [rig.node(0), rig.node(2)];
    onTestFailed(() => {
      if (process.env['BERTH_DEBUG_DUMP'] !== undefined) {
        writeFileSync(process.env['BERTH_DEBUG_DUMP'], rig.nodes.map((node) => `=== ${node.host.name}\n${node.output.join('')}`).join('\n') + `\n=== etcd\n${rig.etcd.output.join('')}`);
        const ctl = (args: string[]): string => { try { return execFileSync('nsenter', [`--net=${rig.lab.router.netns.path}`, 'etcdctl', '--endpoints', `http://${rig.etcd.address}`, ...args]).toString(); } catch (error) { return String(error); } };
        const leases = ctl(['lease', 'list']);
        const ttls = [...leases.matchAll(/^([0-9a-f]+)$/gm)].map((match) => ctl(['lease', 'timetolive', match[1] ?? '', '--keys'])).join('\n');
        writeFileSync(`${process.env['BERTH_DEBUG_DUMP']}.etcd`, `${new Date().toISOString()}\n${leases}\n${ttls}\n${ctl(['get', '--prefix', '', '--keys-only'])}`);
      }
      console.log(`host 1's berthd, last lines:\n${one.output.join('').split('\n').filter((line) => !line.includes('"level":20') || /peer|lease|watch|cluster/i.test(line)).slice(-40).join('\n')}`);
    });
    const zulu = await endpointOf(three, { name: 'zulu', network: 'ov' });
    await until('zulu programmed on host 1', async () => ((await vxlanFdb(one, ov)).includes(zulu.mac) ? true : undefined));
    expect((await berth(one, ['exec', 'xray', '--', 'dig', '+short', 'zulu'])).trim()).toBe(zulu.ip);
    await three.kill();
    killSandboxProcesses(three);
    const killedAt = Date.now();
    await until('zulu gone from host 1', async () => {
      const fdb = await vxlanFdb(one, ov);
      return fdb.includes(zulu.mac) || fdb.includes(`dst ${three.host.ip}`) ? undefined : true;
    }, 15_000);
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeGreaterThanOrEqual((LEASE_TTL - 1) * 1000);
    expect(await vxlanNeighbours(one, ov)).not.toContain(zulu.ip);
    expect((await berth(one, ['exec', 'xray', '--', 'dig', '+short', 'zulu'])).trim()).toBe('');
    // The survivors still reach each other.
    const yankee = await endpointOf(rig.node(1), { name: 'yankee', network: 'ov' });
    expect(await berth(one, ['exec', 'xray', '--', 'ping', '-c', '1', '-W', '1', yankee.ip])).toContain('1 received');
  }, 30_000);

  test('etcd restarted: berthd reconnects, keeps its peers, and follows changes again', async () => {
    const [one, two] = [rig.node(0), rig.node(1)];
    const yankee = await endpointOf(two, { name: 'yankee', network: 'ov' });
    await rig.etcd.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rig.etcd.start();
    const created = await until('create after the restart', async () => {
      const result = await one.berth(['network', 'create', '-d', 'overlay', 'after-restart']);
      return result.exitCode === 0 ? result.stdout.trim() : undefined;
    }, 20_000);
    await until('after-restart on host 2', async () => ((await two.api('GET', '/networks/after-restart')).status === 200 ? true : undefined), 20_000);
    expect(((await two.api('GET', '/networks/after-restart')).body as { Id: string }).Id).toBe(created);
    expect(await vxlanFdb(one, ov)).toContain(yankee.mac);
    await berth(two, ['run', '-d', '--name', 'whiskey', '--network', 'ov', '--', 'sleep', '600']);
    const whiskey = await endpointOf(two, { name: 'whiskey', network: 'ov' });
    const ping = await until('ping whiskey from host 1', async () => berth(one, ['exec', 'xray', '--', 'ping', '-c', '1', '-W', '1', whiskey.ip]));
    expect(ping).toContain('1 received');
    expect((await berth(one, ['exec', 'xray', '--', 'dig', '+short', 'whiskey'])).trim()).toBe(whiskey.ip);
  }, 60_000);
});

describe('berthd restarted', () => {
  test('kill -9 and restart of a berthd with live sandboxes: its endpoints come back from etcd, peers both ways still work', async () => {
    const [one, two] = [rig.node(0), rig.node(1)];
    const yankee = await endpointOf(two, { name: 'yankee', network: 'ov' });
    await berth(one, ['run', '-d', '--name', 'tango', '--network', 'ov', '--', 'sleep', '600']);
    const tango = await endpointOf(one, { name: 'tango', network: 'ov' });
    await until('tango programmed on host 2', async () => ((await vxlanFdb(two, ov)).includes(`${tango.mac} dst`) ? true : undefined));
    await two.kill();
    // A peer that goes while host 2's berthd is down: its entries there go at the restart.
    await berth(one, ['rm', '-f', 'tango']);
    await two.start();
    await until('tango pruned on host 2', async () => ((await vxlanFdb(two, ov)).includes(`${tango.mac} dst`) ? undefined : true), 5000);
    expect(await vxlanNeighbours(two, ov)).not.toContain(`${tango.ip} `);
    expect((await two.api('GET', '/networks/ov')).status).toBe(200);
    expect(await two.run(['ip', '-o', 'link', 'show'])).toContain(`vx-${ov.slice(0, 12)}`);
    await berth(one, ['run', '-d', '--name', 'victor', '--network', 'ov', '--', 'sleep', '600']);
    const victor = await endpointOf(one, { name: 'victor', network: 'ov' });
    const ping = await until('yankee → victor after the restart', async () => berth(two, ['exec', 'yankee', '--', 'ping', '-c', '1', '-W', '1', victor.ip]));
    expect(ping).toContain('1 received');
    expect((await berth(one, ['exec', 'victor', '--', 'dig', '+short', 'yankee'])).trim()).toBe(yankee.ip);
    // Its address stays its own: a new sandbox on host 2 gets another one.
    await berth(two, ['run', '-d', '--name', 'uniform', '--network', 'ov', '--', 'sleep', '600']);
    expect((await endpointOf(two, { name: 'uniform', network: 'ov' })).ip).not.toBe(yankee.ip);
  }, 60_000);
});
