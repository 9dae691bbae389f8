/**
 * bench/bridge, connect section: `POST /networks/{id}/connect` latency of one more sandbox when
 * 1, 100 and 1000 sandboxes are attached to the same bridge network, against the kernel floor
 * measured at the same moment in the same lab: the bench itself makes the kernel objects a
 * connect needs (veth pair with its peer created straight in a bare namespace, on the network's
 * bridge, address, link up, default route) through berth's netlink layer, with no daemon, store
 * or IPAM. Docker's connect (32 ms, labs.md) is quoted for reference.
 */
import { join } from 'node:path';
import type { DaemonRig } from '../../src/lab/index.js';
import type { NetnsKernel } from '../../src/kernel/index.js';
import { LinuxNetnsOps, openNetnsKernel } from '../../src/kernel/linux/index.js';
import { QUICK, api, median, percentile, timed } from './common.js';

const SIZES = QUICK ? [1, 100] : [1, 100, 1000];
const PROBES = QUICK ? 10 : 20;
const DOCKER_CONNECT_MS = 32;
const GATEWAY = '10.128.0.1';

/** The kernel work of one connect, timed; the veth is deleted after, untimed. */
async function kernelFloor(init: { readonly host: NetnsKernel; readonly floor: NetnsKernel; readonly bridge: string }): Promise<number> {
  const { host, floor, bridge } = init;
  const ms = await timed(async () => {
    await host.links.create({ kind: 'veth', name: 'bfloor0', master: bridge, up: true, peer: { name: 'eth0', netnsPath: floor.netns.path } });
    await floor.addresses.add('eth0', '10.128.255.250/16');
    await floor.links.set('eth0', { up: true });
    await floor.routes.add({ destination: 'default', gateway: GATEWAY });
  });
  await host.links.delete('bfloor0');
  return ms;
}

export async function connectSection(rig: DaemonRig): Promise<string[]> {
  const ok = api(rig);
  const created = (await ok('POST', '/networks/create', { Name: 'scale', IPAM: { Config: [{ Subnet: '10.128.0.0/16', Gateway: GATEWAY }] } })) as { Id: string };
  const bridge = `br-${created.Id.slice(0, 12)}`;
  await ok('POST', '/berth/sandboxes', { Name: 'probe' });
  const ops = new LinuxNetnsOps({ dir: join(rig.lab.dir, 'bare') });
  const floorNetns = await ops.create('floor');
  const floor = openNetnsKernel(floorNetns);
  const rows: string[] = [];
  let first: number | undefined;
  try {
    let attached = 0;
    for (const size of SIZES) {
      while (attached < size) {
        await ok('POST', '/berth/sandboxes', { Name: `s${attached}`, Networks: [{ Network: 'scale' }] });
        attached += 1;
      }
      const connects: number[] = [];
      const disconnects: number[] = [];
      const floors: number[] = [];
      for (let probe = 0; probe < PROBES; probe += 1) {
        connects.push(await timed(() => ok('POST', '/networks/scale/connect', { Container: 'probe' })));
        disconnects.push(await timed(() => ok('POST', '/networks/scale/disconnect', { Container: 'probe' })));
        floors.push(await kernelFloor({ host: rig.host.kernel, floor, bridge }));
      }
      const connect = median(connects);
      first ??= connect;
      rows.push(`| ${size} | ${connect.toFixed(1)} ms (p95 ${percentile(connects, 95).toFixed(1)}) | ${median(floors).toFixed(1)} ms | ${(connect / median(floors)).toFixed(1)}× | ${(connect / first).toFixed(2)}× | ${median(disconnects).toFixed(1)} ms | ${(DOCKER_CONNECT_MS / connect).toFixed(1)}× |`);
    }
  } finally {
    floor.close();
    await ops.remove(floorNetns);
  }
  return [
    `## connect latency vs sandboxes attached to the network  (median of ${PROBES} connect/disconnect pairs per size)`,
    '| sandboxes attached | berth connect (API) | kernel floor (netlink only) | berth / floor | vs 1 attached | berth disconnect | Docker connect 32 ms (labs.md) ÷ berth |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '',
  ];
}
