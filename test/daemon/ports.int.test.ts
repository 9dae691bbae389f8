import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { fetchFrom } from './ports-support.js';

let rig: DaemonRig;
let www: string;
beforeAll(async () => {
  rig = await startDaemon();
  www = mkdtempSync(join(tmpdir(), 'berth-www-'));
  writeFileSync(join(www, 'index.html'), 'hello from a sandbox\n');
  const created = await rig.berth(['network', 'create', '--subnet', '10.99.0.0/24', 'front']);
  expect(created.exitCode).toBe(0);
});
afterAll(async () => {
  await rig.close();
  rmSync(www, { recursive: true, force: true });
});

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function sandboxKey(name: string): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${name}/json`)).body as { NetworkSettings: { SandboxKey: string } };
  return inspect.NetworkSettings.SandboxKey;
}

describe('port publishing in the kernel (nftables maps, no proxy)', () => {
  test('outside, host address, localhost and hairpin all reach a published HTTP server; berth port shows it', async () => {
    await berth(['run', '-d', '--name', 'web', '--network', 'front', '-p', '8080:80', '-p', '127.0.0.1:9090:80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www]);
    await sleep(300);
    const hostUrl = `http://${rig.host.ip}:8080/`;
    expect(await fetchFrom(rig.lab.router.netns.path, hostUrl)).toBe('hello from a sandbox');
    expect(await fetchFrom(rig.host.netns.path, hostUrl)).toBe('hello from a sandbox');
    expect(await fetchFrom(rig.host.netns.path, 'http://127.0.0.1:9090/')).toBe('hello from a sandbox');
    // 9090 is published on 127.0.0.1 only: not from outside.
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:9090/`)).toBeUndefined();
    await berth(['run', '-d', '--name', 'client', '--network', 'front', '--', 'sleep', '600']);
    expect(await fetchFrom(await sandboxKey('client'), hostUrl)).toBe('hello from a sandbox');
    expect((await berth(['port', 'web'])).split('\n').sort().filter(Boolean)).toEqual(['80/tcp -> 0.0.0.0:8080', '80/tcp -> 127.0.0.1:9090']);
    expect(await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish4-any'])).toContain('tcp . 8080 : 10.99.0.2 . 80');
  });

  test('the server sees the real client address', async () => {
    await berth(['run', '-d', '--name', 'listener', '--network', 'front', '-p', '7000:7000', '--', 'nc', '-lkvn', '7000']);
    await sleep(300);
    await execa('nsenter', [`--net=${rig.lab.router.netns.path}`, 'sh', '-c', `echo hi | nc -N -w 2 ${rig.host.ip} 7000`], { reject: false, timeout: 10_000 });
    await sleep(200);
    const id = ((await rig.api('GET', '/containers/listener/json')).body as { Id: string }).Id;
    const log = readFileSync(join(rig.host.runDir, 'sandboxes', id, 'output.log'), 'utf8');
    expect(log).toContain(`Connection received on ${rig.lab.router.ip}`);
  });

  test('a UDP flow seen before a port is published takes the new mapping (conntrack flushed)', async () => {
    const send = (text: string): Promise<unknown> =>
      execa('nsenter', [`--net=${rig.lab.router.netns.path}`, 'sh', '-c', `printf '${text}\\n' | nc -u -p 40000 -w 1 ${rig.host.ip} 5300`], { reject: false, timeout: 10_000 });
    await send('before');
    expect(await rig.lab.run(rig.host.netns, ['conntrack', '-L', '-p', 'udp', '--dport', '5300'])).toContain('dport=5300');
    await berth(['run', '-d', '--name', 'udp', '--network', 'front', '-p', '5300:5300/udp', '--', 'nc', '-ulk', '5300']);
    await sleep(300);
    await send('after-publish');
    await sleep(300);
    const id = ((await rig.api('GET', '/containers/udp/json')).body as { Id: string }).Id;
    expect(readFileSync(join(rig.host.runDir, 'sandboxes', id, 'output.log'), 'utf8')).toContain('after-publish');
  });

  test('conflicts are 409 and change nothing; an ephemeral port comes from the local range', async () => {
    const taken = await rig.api('POST', '/berth/sandboxes', { Name: 'dup', Networks: [{ Network: 'front' }], Ports: ['8080:80'] });
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.body)).toContain('host port 0.0.0.0:8080/tcp is already in use');
    expect((await rig.api('GET', '/containers/dup/json')).status).toBe(404);
    // A host program holding a port wins too.
    const holder = rig.lab.spawn(rig.host.netns, ['nc', '-l', '6000']);
    await sleep(200);
    expect((await rig.api('POST', '/berth/sandboxes', { Name: 'dup2', Networks: [{ Network: 'front' }], Ports: ['6000:80'] })).status).toBe(409);
    holder.kill('SIGKILL');
    expect((await rig.api('POST', '/berth/sandboxes', { Name: 'bad', Networks: [{ Network: 'front' }], Ports: ['8080:80/icmp'] })).status).toBe(400);
    await berth(['run', '-d', '--name', 'ephemeral', '--network', 'front', '-p', '80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www]);
    const [line] = (await berth(['port', 'ephemeral'])).split('\n');
    const port = Number(/0\.0\.0\.0:(\d+)$/.exec(line ?? '')?.[1]);
    const [low = 0, high = 0] = (await rig.lab.run(rig.host.netns, ['cat', '/proc/sys/net/ipv4/ip_local_port_range'])).split(/\s+/).map(Number);
    expect(port).toBeGreaterThanOrEqual(low);
    expect(port).toBeLessThanOrEqual(high);
    await sleep(300);
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:${port}/`)).toBe('hello from a sandbox');
  });

  test('published ports survive a daemon crash; rm unpublishes and frees the port', async () => {
    await rig.kill();
    await rig.start();
    const hostUrl = `http://${rig.host.ip}:8080/`;
    expect(await fetchFrom(rig.lab.router.netns.path, hostUrl)).toBe('hello from a sandbox');
    // Still reserved after the restart: a second publication of 8080 is refused.
    expect((await rig.api('POST', '/berth/sandboxes', { Name: 'dup3', Networks: [{ Network: 'front' }], Ports: ['8080:80'] })).status).toBe(409);
    await berth(['rm', '-f', 'web']);
    expect(await fetchFrom(rig.lab.router.netns.path, hostUrl)).toBeUndefined();
    expect(await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish4-any'])).not.toContain('8080');
    await berth(['run', '-d', '--name', 'again', '--network', 'front', '-p', '8080:80', '--', 'sleep', '600']);
  });
});
