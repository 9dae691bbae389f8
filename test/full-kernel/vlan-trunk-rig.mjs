// Runs inside the kernel-lab guest (full Debian kernel: 8021q, dummy, ipvlan), never on the
// host: `node test/full-kernel/vlan-trunk-rig.mjs`, driven by vlan-trunk.fk.test.ts.
//
// berth's own controller with its macvlan and ipvlan drivers (built into dist/ by
// scripts/setup) on a trunk: veth trunk0 (guest root namespace = the berth host) / trunk1 in
// netns "switch", where VLAN sub-interfaces of trunk1 play each VLAN's router. Prints labelled
// sections ("=== <label>") and a final JSON report that the test asserts on.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller } from '../../dist/src/controller/index.js';
import { LinuxKernel } from '../../dist/src/kernel/linux/index.js';
import { NoFirewall } from '../../dist/src/kernel/no-firewall.js';
import { DefaultIpam } from '../../dist/ipam/index.js';
import { IpvlanDriver, MacvlanDriver, ParentRegistry } from '../../dist/drivers/index.js';
import { MemoryStore } from '../../dist/test/support/memory-store.js';

const report = {};
const sh = (command, args) => {
  try {
    return { ok: true, out: execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
};
const ip = (...args) => sh('ip', args);
const inNs = (path, ...args) => sh('nsenter', [`--net=${path}`, ...args]);
const ping = (path, target) => inNs(path, 'ping', '-c', '2', '-i', '0.3', '-W', '1', target).ok;
const linkExists = (name) => ip('link', 'show', name).ok;
const section = (label, text) => console.log(`=== ${label}\n${text.trimEnd()}`);

// IPv6 off everywhere: router solicitations and MLD reports would only add noise to captures.
for (const conf of ['all', 'default']) sh('sh', ['-c', `echo 1 > /proc/sys/net/ipv6/conf/${conf}/disable_ipv6`]);
ip('netns', 'add', 'switch');
// arp_ignore=1: the switch side answers ARP only on the VLAN that holds the address (one
// namespace plays every VLAN's router, and Linux would otherwise answer on any interface).
sh('ip', ['netns', 'exec', 'switch', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore']);
ip('link', 'add', 'trunk0', 'type', 'veth', 'peer', 'name', 'trunk1', 'netns', 'switch');
ip('link', 'set', 'trunk0', 'up');
ip('-n', 'switch', 'link', 'set', 'lo', 'up');
ip('-n', 'switch', 'link', 'set', 'trunk1', 'up');
// Each VLAN's router on the switch side. VLAN 200's also owns 192.0.2.99, an address of VLAN
// 100's subnet: only the tags keep VLAN 100's ARP for it from reaching it.
const routers = [['100', '192.0.2.1/24'], ['200', '198.51.100.1/24'], ['300', '203.0.113.1/24']];
for (const [id, address] of routers) {
  ip('-n', 'switch', 'link', 'add', 'link', 'trunk1', 'name', `trunk1.${id}`, 'type', 'vlan', 'id', id);
  ip('-n', 'switch', 'addr', 'add', address, 'dev', `trunk1.${id}`);
  ip('-n', 'switch', 'link', 'set', `trunk1.${id}`, 'up');
}
ip('-n', 'switch', 'addr', 'add', '192.0.2.99/24', 'dev', 'trunk1.200');
// VLAN 300's sub-interface exists before berth: berth must use it and leave it in place.
ip('link', 'add', 'link', 'trunk0', 'name', 'trunk0.300', 'type', 'vlan', 'id', '300');
ip('link', 'set', 'trunk0.300', 'up');

mkdirSync('/tmp/berth/netns', { recursive: true });
const kernel = new LinuxKernel({ netnsDir: '/tmp/berth/netns', firewall: new NoFirewall() });
const store = new MemoryStore();
const log = { debug() {}, info() {}, warn() {}, error: (fields, message) => console.error(message, JSON.stringify(fields)) };
const start = async () => {
  const registry = new ParentRegistry();
  const { controller } = await Controller.start({
    store, kernel, log, drivers: [new MacvlanDriver({ kernel, registry }), new IpvlanDriver({ kernel, registry })], ipams: [new DefaultIpam()],
    paths: { netnsDir: '/tmp/berth/netns', sandboxDir: '/tmp/berth/sandboxes', hostResolvConf: '/etc/resolv.conf' },
  });
  return controller;
};
const network = (controller, init) => controller.createNetwork({
  name: init.name, driver: init.driver ?? 'macvlan', internal: init.internal === true, options: init.options ?? {},
  ipam: { config: init.subnet === undefined ? [] : [{ subnet: init.subnet, ...(init.gateway === undefined ? {} : { gateway: init.gateway }) }] },
});
const sandbox = async (controller, name, net) => {
  const view = await controller.createSandbox({ name, networks: [{ network: net }] });
  return { path: view.sandbox.netnsPath, address: view.endpoints[0].endpoint.address.split('/')[0] };
};
const refusal = async (action) => {
  try {
    await action();
    return 'accepted';
  } catch (error) {
    return `${error.code}: ${error.message}`;
  }
};

let controller = await start();
// 1. Two VLAN networks on one trunk: berth creates trunk0.100 and trunk0.200.
await network(controller, { name: 'v100', subnet: '192.0.2.0/24', gateway: '192.0.2.1', options: { parent: 'trunk0.100' } });
await network(controller, { name: 'v200', subnet: '198.51.100.0/24', gateway: '198.51.100.1', options: { parent: 'trunk0.200' } });
section('sub-interfaces', ip('-d', 'link', 'show', 'type', 'vlan').out);
const s100 = await sandbox(controller, 's100', 'v100');
const s200 = await sandbox(controller, 's200', 'v200');
section('s100', inNs(s100.path, 'ip', '-d', 'link', 'show', 'eth0').out + inNs(s100.path, 'ip', 'route').out);

// 2. Tagged frames on the trunk: capture on trunk1 while each sandbox pings its VLAN's router.
const capture = spawn('ip', ['netns', 'exec', 'switch', 'timeout', '90', 'tcpdump', '-e', '-n', '-l', '-i', 'trunk1', 'icmp'], { stdio: ['ignore', 'pipe', 'pipe'] });
// Listen for the exit at once: under a slow (TCG, loaded) guest tcpdump may end before we stop it,
// and an 'exit' listener added after that would wait forever (node then exits 13).
const captureExited = new Promise((resolve) => capture.once('exit', resolve));
let captured = '';
let started = '';
capture.stdout.on('data', (chunk) => { captured += chunk; });
capture.stderr.on('data', (chunk) => { started += chunk; });
for (let waited = 0; !started.includes('listening on') && waited < 10_000; waited += 50) await sleep(50);
report.s100ReachesRouter = ping(s100.path, '192.0.2.1');
report.s200ReachesRouter = ping(s200.path, '198.51.100.1');
await sleep(300);
capture.kill('SIGINT');
await captureExited;
section('trunk-capture', captured);
// 3. Isolation: VLAN 100 cannot reach VLAN 200's sandbox, nor an on-link address that only VLAN 200 holds.
report.s100ReachesS200 = ping(s100.path, s200.address);
report.s100ReachesVlan200Host = ping(s100.path, '192.0.2.99');
report.s200Address = s200.address;

// 4. Exclusive parent; an existing sub-interface is used and left alone.
report.secondOnTrunk100 = await refusal(() => network(controller, { name: 'again', subnet: '10.99.0.0/24', options: { parent: 'trunk0.100' } }));
await network(controller, { name: 'v300', subnet: '203.0.113.0/24', gateway: '203.0.113.1', options: { parent: 'trunk0.300' } });
const s300 = await sandbox(controller, 's300', 'v300');
report.s300ReachesRouter = ping(s300.path, '203.0.113.1');
await controller.removeSandbox({ sandbox: 's300' });
await controller.removeNetwork('v300');
report.trunk300KeptAfterRm = linkExists('trunk0.300');

// 5. A restart (a new controller on the same store): the parent is still owned, then removed with its network.
controller = await start();
report.afterRestartSecondOnTrunk100 = await refusal(() => network(controller, { name: 'again', subnet: '10.99.0.0/24', options: { parent: 'trunk0.100' } }));
report.afterRestartS100ReachesRouter = ping(s100.path, '192.0.2.1');
await controller.removeSandbox({ sandbox: 's100' });
await controller.removeSandbox({ sandbox: 's200' });
await controller.removeNetwork('v100');
await controller.removeNetwork('v200');
report.trunk100GoneAfterRm = !linkExists('trunk0.100');
report.trunk200GoneAfterRm = !linkExists('trunk0.200');

// 6. --internal: a dummy parent dm-<id12>, sandboxes reach each other and nothing else.
const iso = await network(controller, { name: 'iso', internal: true, subnet: '10.77.0.0/24' });
const dummy = `dm-${iso.network.id.slice(0, 12)}`;
report.dummyKind = ip('-d', 'link', 'show', dummy).out.includes('dummy') ? 'dummy' : ip('-d', 'link', 'show', dummy).out;
const i1 = await sandbox(controller, 'i1', 'iso');
const i2 = await sandbox(controller, 'i2', 'iso');
report.internalPeers = ping(i1.path, i2.address);
report.internalDefaultRoute = inNs(i1.path, 'ip', 'route', 'show', 'default').out.trim();
await controller.removeSandbox({ sandbox: 'i1' });
await controller.removeSandbox({ sandbox: 'i2' });
await controller.removeNetwork('iso');
report.dummyGoneAfterRm = !linkExists(dummy);

// 7. ipvlan l2 and l3 on the pre-existing trunk0.300.
await network(controller, { name: 'ipv2', driver: 'ipvlan', subnet: '203.0.113.0/24', gateway: '203.0.113.1', options: { parent: 'trunk0.300', ipvlan_mode: 'l2' } });
const l2a = await sandbox(controller, 'l2a', 'ipv2');
const l2b = await sandbox(controller, 'l2b', 'ipv2');
section('ipvlan-l2', inNs(l2a.path, 'ip', '-d', 'link', 'show', 'eth0').out + inNs(l2a.path, 'ip', 'route').out);
const macOf = (out) => /link\/ether (\S+)/.exec(out)?.[1];
report.ipvlanL2SharesParentMac = macOf(inNs(l2a.path, 'ip', 'link', 'show', 'eth0').out) === macOf(ip('link', 'show', 'trunk0.300').out);
report.ipvlanL2ReachesRouter = ping(l2a.path, '203.0.113.1');
report.ipvlanL2Peers = ping(l2a.path, l2b.address);
report.ipvlanOnMacvlanParent = await refusal(() => network(controller, { name: 'mv300', subnet: '10.98.0.0/24', options: { parent: 'trunk0.300' } }));
for (const name of ['l2a', 'l2b']) await controller.removeSandbox({ sandbox: name });
await controller.removeNetwork('ipv2');
await network(controller, { name: 'ipv3', driver: 'ipvlan', subnet: '203.0.113.0/24', options: { parent: 'trunk0.300', ipvlan_mode: 'l3' } });
const l3a = await sandbox(controller, 'l3a', 'ipv3');
const l3b = await sandbox(controller, 'l3b', 'ipv3');
section('ipvlan-l3', inNs(l3a.path, 'ip', '-d', 'link', 'show', 'eth0').out + inNs(l3a.path, 'ip', 'route').out);
report.ipvlanL3Peers = ping(l3a.path, l3b.address);
report.ipvlanL3DefaultRoute = inNs(l3a.path, 'ip', 'route', 'show', 'default').out.trim();
for (const name of ['l3a', 'l3b']) await controller.removeSandbox({ sandbox: name });
await controller.removeNetwork('ipv3');
report.trunk300KeptAtEnd = linkExists('trunk0.300');
report.berthLinksLeft = ip('-o', 'link', 'show').out.split('\n').filter((line) => line.includes('alias berth:')).length;

section('report', JSON.stringify(report));
kernel.close();
process.exit(0);
