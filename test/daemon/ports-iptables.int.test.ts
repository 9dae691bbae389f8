import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { HELLO, berthOk, fetchEventually, fetchFrom, inspect, makeWebRoot, sandboxOutput } from './ports-support.js';

let rig: DaemonRig;
let www: ReturnType<typeof makeWebRoot>;
/** berth's iptables state right after the network was made, before any publication. */
let unpublished: string;
beforeAll(async () => {
  rig = await startDaemon({ args: ['--firewall', 'iptables'] });
  www = makeWebRoot();
  await berthOk(rig, ['network', 'create', '--ipv6', '--subnet', '10.96.0.0/24', '--subnet', 'fd00:96::/64', 'front']);
  unpublished = await berthRules();
});
afterAll(async () => {
  await rig.close();
  www.remove();
});

/** Every berth line of iptables-save and ip6tables-save in the lab host (counters dropped), sorted. */
async function berthRules(): Promise<string> {
  const lines: string[] = [];
  for (const save of ['iptables-save', 'ip6tables-save']) {
    const text = await rig.lab.run(rig.host.netns, [save]);
    lines.push(...text.split('\n').filter((line) => line.includes('BERTH')).map((line) => `${save === 'iptables-save' ? '4' : '6'} ${line.replace(/\[\d+:\d+\]/, '')}`));
  }
  return lines.sort().join('\n');
}

function httpd(name: string, ports: readonly string[]): Promise<string> {
  return berthOk(rig, ['run', '-d', '--name', name, '--network', 'front', ...ports.flatMap((port) => ['-p', port]), '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www.dir]);
}

const router = (): string => rig.lab.router.netns.path;

describe('port publishing with --firewall iptables (BERTH-DNAT rules, no proxy)', () => {
  test('outside (IPv4 and IPv6), host address, 127.0.0.1 and hairpin reach the server; unpublished sandbox IPs do not', async () => {
    await httpd('web', ['8080:80', '127.0.0.1:9090:80']);
    expect(await fetchEventually(router(), `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    expect(await fetchFrom(router(), `http://[${rig.host.ip6}]:8080/`)).toBe(HELLO);
    expect(await fetchFrom(rig.host.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    expect(await fetchFrom(rig.host.netns.path, 'http://127.0.0.1:9090/')).toBe(HELLO);
    expect(await fetchFrom(router(), `http://${rig.host.ip}:9090/`)).toBeUndefined();
    await berthOk(rig, ['run', '-d', '--name', 'client', '--network', 'front', '--', 'sleep', '600']);
    expect(await fetchFrom((await inspect(rig, 'client')).NetworkSettings.SandboxKey, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    // Straight to the sandbox's address, with a route via the lab host: dropped, even on the published container port.
    const address = (await inspect(rig, 'web')).NetworkSettings.Networks['front']?.IPAddress ?? '';
    await rig.lab.run(rig.lab.router.netns, ['ip', 'route', 'add', '10.96.0.0/24', 'via', rig.host.ip]);
    expect(await fetchFrom(router(), `http://${address}:80/`)).toBeUndefined();
    const save = await rig.lab.run(rig.host.netns, ['iptables-save', '-t', 'nat']);
    expect(save).toContain(`-A BERTH-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${address}:80`);
    expect(save).toContain('-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT');
  });

  test('the server sees the real client address', async () => {
    await berthOk(rig, ['run', '-d', '--name', 'listener', '--network', 'front', '-p', '7000:7000', '--', 'nc', '-lkvn', '7000']);
    for (let tries = 0; tries < 20 && !(await sandboxOutput(rig, 'listener')).includes('Connection received'); tries += 1) {
      await execa('nsenter', [`--net=${router()}`, 'sh', '-c', `echo hi | nc -N -w 2 ${rig.host.ip} 7000`], { reject: false, timeout: 10_000 });
    }
    expect(await sandboxOutput(rig, 'listener')).toContain(`Connection received on ${rig.lab.router.ip}`);
  });

  test('conflicts are 409 naming the port', async () => {
    const taken = await rig.api('POST', '/berth/sandboxes', { Name: 'dup', Networks: [{ Network: 'front' }], Ports: ['8080:80'] });
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.body)).toContain('host port 0.0.0.0:8080/tcp is already in use');
  });

  test('no rule is duplicated by a daemon restart; rules go exactly when the last publication goes', async () => {
    const published = await berthRules();
    expect(published).not.toBe(unpublished);
    await rig.kill();
    await rig.start();
    expect(await berthRules()).toBe(published);
    // The rules are back as they were; the lab router may need a moment under load (ARP, a slow server).
    expect(await fetchEventually(router(), `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    await berthOk(rig, ['rm', '-f', 'web', 'listener']);
    expect(await fetchFrom(router(), `http://${rig.host.ip}:8080/`)).toBeUndefined();
    expect(await berthRules()).toBe(unpublished);
  });
});
