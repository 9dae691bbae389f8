import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { berthOk, inspect } from './ports-support.js';

/**
 * Anti-spoofing (drivers/bridge/firewall/nft-spoof.ts): a sandbox on a bridge cannot send with
 * another address or MAC than its own. The victim runs a UDP server logging each datagram's
 * source; the attacker sends marked datagrams with its own identity (they arrive), then with a
 * forged IPv4/IPv6 source and a forged MAC (they must not). The attacker's neighbour entry for
 * the victim is made permanent, so the forged packets really leave it (no ARP/ND in the way).
 */
const UDP_SERVER = [
  'import socket',
  's = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
  's.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)',
  "s.bind(('::', 9000))",
  'while True:',
  '    data, source = s.recvfrom(200)',
  "    print(source[0], data.decode(), flush=True)",
].join('\n');

const UDP_SEND = [
  'import socket, sys',
  'source, target, payload = sys.argv[1], sys.argv[2], sys.argv[3]',
  "family = socket.AF_INET6 if ':' in target else socket.AF_INET",
  's = socket.socket(family, socket.SOCK_DGRAM)',
  "if source != '-': s.bind((source, 0))",
  's.sendto(payload.encode(), (target, 9000))',
].join('\n');

/** A gratuitous ARP reply on eth0: sender MAC argv[1] (also the frame's source), sender IP argv[2]; broadcast. */
const ARP_SEND = [
  'import socket, sys',
  "mac = bytes.fromhex(sys.argv[1].replace(':', ''))",
  'ip = socket.inet_aton(sys.argv[2])',
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
  "s.bind(('eth0', 0))",
  "frame = b'\\xff' * 6 + mac + b'\\x08\\x06' + b'\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x02' + mac + ip + b'\\xff' * 6 + ip",
  's.send(frame)',
].join('\n');

/** System Python: sandbox processes and nsenter do not get a pyenv shim's environment. */
const PYTHON = '/usr/bin/python3';

let rig: DaemonRig;
let victim: { netns: string; ipv4: string; ipv6: string; mac: string; id: string };
let attacker: { netns: string; ipv4: string; ipv6: string; mac: string };
let bystander: { ipv4: string; ipv6: string; mac: string };

async function sandbox(name: string): Promise<{ netns: string; ipv4: string; ipv6: string; mac: string; id: string }> {
  const view = await inspect(rig, name);
  const settings = view.NetworkSettings.Networks['guarded'];
  const netns = view.NetworkSettings.SandboxKey;
  const link = await rig.lab.run({ path: netns }, ['ip', '-o', 'link', 'show', 'eth0']);
  return { netns, ipv4: settings?.IPAddress ?? '', ipv6: settings?.GlobalIPv6Address ?? '', mac: /link\/ether (\S+)/.exec(link)?.[1] ?? '', id: view.Id };
}

/** Runs a command inside a sandbox's namespace (as root, like a process in it could). */
async function inside(netns: string, command: readonly string[]): Promise<string> {
  const result = await execa('nsenter', [`--net=${netns}`, ...command], { timeout: 10_000 });
  return result.stdout;
}

async function send(init: { readonly source?: string; readonly target: string; readonly payload: string }): Promise<void> {
  await inside(attacker.netns, [PYTHON, '-c', UDP_SEND, init.source ?? '-', init.target, init.payload]);
}

function received(): string {
  return readFileSync(join(rig.host.runDir, 'sandboxes', victim.id, 'output.log'), 'utf8');
}

/** Waits until `payload` shows in the victim's log (or 2 s); returns the log. */
async function receivedAfter(payload: string): Promise<string> {
  for (let waited = 0; waited < 2000 && !received().includes(payload); waited += 50) await sleep(50);
  return received();
}

beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-as' });
  await berthOk(rig, ['network', 'create', '--ipv6', '--subnet', '10.78.0.0/24', '--subnet', 'fd78::/64', 'guarded']);
  await berthOk(rig, ['run', '-d', '--name', 'victim', '--network', 'guarded', '--', PYTHON, '-u', '-c', UDP_SERVER]);
  await berthOk(rig, ['run', '-d', '--name', 'attacker', '--network', 'guarded', '--', 'sleep', '600']);
  await berthOk(rig, ['run', '-d', '--name', 'bystander', '--network', 'guarded', '--', 'sleep', '600']);
  victim = await sandbox('victim');
  const attackerSandbox = await sandbox('attacker');
  attacker = attackerSandbox;
  bystander = await sandbox('bystander');
  for (const address of [victim.ipv4, victim.ipv6]) {
    await inside(attacker.netns, ['ip', 'neigh', 'replace', address, 'lladdr', victim.mac, 'dev', 'eth0', 'nud', 'permanent']);
  }
  // The server is up once a datagram with the attacker's own identity arrives.
  for (let attempt = 0; attempt < 40 && !received().includes('ready'); attempt += 1) {
    await send({ target: victim.ipv4, payload: 'ready' });
    await sleep(100);
  }
}, 60_000);
afterAll(async () => {
  await rig.close();
});

describe('anti-spoofing on bridge networks (nftables, table bridge berth)', () => {
  test('each endpoint\'s veth is guarded with its own MAC and addresses', async () => {
    const listing = await rig.lab.run(rig.host.netns, ['nft', 'list', 'table', 'bridge', 'berth']);
    expect(listing).toContain(`. ${victim.mac}`);
    expect(listing).toContain(`. ${attacker.ipv4}`);
    expect(listing).toContain(`. ${bystander.ipv6}`);
  });

  test('a datagram with the sandbox\'s own address arrives (IPv4 and IPv6)', async () => {
    await send({ target: victim.ipv4, payload: 'own-ipv4' });
    await send({ target: victim.ipv6, payload: 'own-ipv6' });
    const log = await receivedAfter('own-ipv6');
    expect(log).toContain(`::ffff:${attacker.ipv4} own-ipv4`);
    expect(log).toContain(`${attacker.ipv6} own-ipv6`);
  });

  test('a forged source address (another sandbox\'s, or an unused one) is dropped, IPv4 and IPv6', async () => {
    const forged = [bystander.ipv4, '10.78.0.200', bystander.ipv6, 'fd78::200'];
    for (const address of forged) await inside(attacker.netns, ['ip', 'addr', 'add', `${address}/${address.includes(':') ? 128 : 32}`, 'dev', 'eth0', 'nodad']);
    for (const address of forged) await send({ source: address, target: address.includes(':') ? victim.ipv6 : victim.ipv4, payload: `forged-ip-${address}` });
    // A marker sent after them with the real address: once it is in, the forged ones had their chance.
    await send({ target: victim.ipv4, payload: 'after-forged-ip' });
    const log = await receivedAfter('after-forged-ip');
    expect(log).toContain('after-forged-ip');
    expect(log).not.toContain('forged-ip-');
    for (const address of forged) await inside(attacker.netns, ['ip', 'addr', 'del', `${address}/${address.includes(':') ? 128 : 32}`, 'dev', 'eth0']);
  });

  test('a forged MAC is dropped, even with the sandbox\'s own IP; its real MAC works again', async () => {
    await inside(attacker.netns, ['ip', 'link', 'set', 'eth0', 'address', '02:00:00:00:be:ef']);
    await send({ target: victim.ipv4, payload: 'forged-mac-ipv4' });
    await send({ target: victim.ipv6, payload: 'forged-mac-ipv6' });
    await inside(attacker.netns, ['ip', 'link', 'set', 'eth0', 'address', attacker.mac]);
    await send({ target: victim.ipv4, payload: 'after-forged-mac' });
    const log = await receivedAfter('after-forged-mac');
    expect(log).toContain('after-forged-mac');
    expect(log).not.toContain('forged-mac-');
  });

  test('forged ARP (another sandbox\'s IP as sender) does not poison the victim\'s neighbour cache', async () => {
    // The victim knows the bystander; Linux updates a known entry from any ARP naming its IP (after 1 s locktime).
    await inside(victim.netns, ['ping', '-c', '1', '-W', '2', bystander.ipv4]);
    await sleep(1200);
    await inside(attacker.netns, [PYTHON, '-c', ARP_SEND, attacker.mac, bystander.ipv4]);
    await sleep(200);
    const entry = await inside(victim.netns, ['ip', 'neigh', 'show', bystander.ipv4]);
    expect(entry).toContain(bystander.mac);
    expect(entry).not.toContain(attacker.mac);
  });

  test('normal traffic still works: ping both ways, both families; a removed sandbox leaves no guard', async () => {
    await inside(attacker.netns, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    await inside(attacker.netns, ['ping', '-c', '1', '-W', '2', victim.ipv4]);
    await inside(attacker.netns, ['ping', '-6', '-c', '1', '-W', '2', victim.ipv6]);
    await inside(victim.netns, ['ping', '-c', '1', '-W', '2', bystander.ipv4]);
    await berthOk(rig, ['rm', '-f', 'bystander']);
    const listing = await rig.lab.run(rig.host.netns, ['nft', 'list', 'table', 'bridge', 'berth']);
    expect(listing).not.toContain(bystander.ipv4);
    expect(listing).not.toContain(bystander.ipv6);
    // After a restart the guards are still in force (the daemon re-asserts them from the store).
    await rig.kill();
    await rig.start();
    await inside(attacker.netns, ['ip', 'addr', 'add', '10.78.0.201/32', 'dev', 'eth0', 'nodad']);
    await send({ source: '10.78.0.201', target: victim.ipv4, payload: 'forged-after-restart' });
    await inside(attacker.netns, ['ip', 'addr', 'del', '10.78.0.201/32', 'dev', 'eth0']);
    await send({ target: victim.ipv4, payload: 'real-after-restart' });
    const log = await receivedAfter('real-after-restart');
    expect(log).toContain('real-after-restart');
    expect(log).not.toContain('forged-after-restart');
  });
});
