import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon, startFakeUpstream, stopProcess } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

/** Forwarded queries give up after this; the test checks SERVFAIL arrives within it. */
const DNS_TIMEOUT_MS = 1200;

let rig: DaemonRig;
let dir: string;
let resolvConf: string;
let upstream: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-dns-'));
  resolvConf = join(dir, 'resolv.conf');
  // The lab router (198.18.0.1) is the lab host's upstream resolver.
  writeFileSync(resolvConf, 'nameserver 198.18.0.1\nsearch lab.test\noptions edns0\n');
  rig = await startDaemon({ args: ['--host-resolv-conf', resolvConf, '--dns-timeout', String(DNS_TIMEOUT_MS)] });
  upstream = await startFakeUpstream(rig.lab, { netns: rig.lab.router.netns, listen: '198.18.0.1:53', records: { 'www.example.test': '192.0.2.80' } });
  await berth(['network', 'create', '--subnet', '10.61.0.0/24', 'front']);
  await berth(['network', 'create', '--subnet', '10.62.0.0/24', 'back']);
  await berth(['run', '-d', '--name', 'web', '--network', 'front', '--alias', 'api', '--', 'sleep', '600']);
  await berth(['run', '-d', '--name', 'db', '--network', 'front', '--alias', 'api', '--', 'sleep', '600']);
  await berth(['run', '-d', '--name', 'secret', '--network', 'back', '--', 'sleep', '600']);
  await berth(['run', '-d', '--name', 'client', '--network', 'front', '--', 'sleep', '600']);
});
afterAll(async () => {
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** /etc/resolv.conf as a process in a new sandbox on `network` sees it. */
async function resolvConfIn(init: { readonly name: string; readonly network: string }): Promise<string> {
  await berth(['run', '-d', '--name', init.name, '--network', init.network, '--', 'sleep', '600']);
  try {
    return await berth(['exec', init.name, '--', 'cat', '/etc/resolv.conf']);
  } finally {
    await berth(['rm', '-f', init.name]);
  }
}

async function sandboxKey(name: string): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${name}/json`)).body as { NetworkSettings: { SandboxKey: string } };
  return inspect.NetworkSettings.SandboxKey;
}

async function addressOf(name: string, network: string): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${name}/json`)).body as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
  return inspect.NetworkSettings.Networks[network]?.IPAddress ?? '';
}

interface Dig {
  readonly status: string;
  readonly answers: string[];
  readonly flags: string;
  readonly ms: number;
}

/** `dig` from inside a sandbox at the embedded DNS; answers as "name type data" lines. */
async function dig(sandbox: string, args: readonly string[]): Promise<Dig> {
  const started = performance.now();
  const result = await execa('nsenter', [`--net=${await sandboxKey(sandbox)}`, 'dig', '@127.0.0.11', '+tries=1', '+time=5', ...args], { reject: false, timeout: 20_000 });
  const ms = performance.now() - started;
  const status = /status: (\w+)/.exec(result.stdout)?.[1] ?? `no answer (${result.stdout}${result.stderr})`;
  const flags = /;; flags: ([^;]*);/.exec(result.stdout)?.[1] ?? '';
  const section = result.stdout.split(';; ANSWER SECTION:\n')[1]?.split('\n\n')[0] ?? '';
  const answers = section.split('\n').filter(Boolean).map((line) => { const [name, ttl, , type, data] = line.split(/\s+/); return `${name} ${ttl} ${type} ${data}`; });
  return { status, answers, flags, ms };
}

describe('embedded DNS at 127.0.0.11 (inside each sandbox namespace)', () => {
  test('A for the name, name.network, the short id and an alias; names are case-insensitive; TTL 600', async () => {
    const web = await addressOf('web', 'front');
    const id = ((await rig.api('GET', '/containers/web/json')).body as { Id: string }).Id;
    expect((await dig('client', ['web'])).answers).toEqual([`web. 600 A ${web}`]);
    expect((await dig('client', ['WEB.Front'])).answers).toEqual([`WEB.Front. 600 A ${web}`]);
    expect((await dig('client', [id.slice(0, 12)])).answers).toEqual([`${id.slice(0, 12)}. 600 A ${web}`]);
    const api = await dig('client', ['api']);
    expect(api.status).toBe('NOERROR');
    expect(api.answers.map((line) => line.split(' ')[3]).sort()).toEqual([web, await addressOf('db', 'front')].sort());
  });

  test('a shared alias is answered in shuffled order (round-robin)', async () => {
    const short = await execa('nsenter', [`--net=${await sandboxKey('client')}`, 'dig', '@127.0.0.11', '+short', 'api']);
    expect(short.stdout.split('\n')).toHaveLength(2);
    const orders = new Set<string>();
    for (let round = 0; round < 16 && orders.size < 2; round += 1) {
      orders.add((await execa('nsenter', [`--net=${await sandboxKey('client')}`, 'dig', '@127.0.0.11', '+short', 'api'])).stdout);
    }
    expect(orders.size).toBe(2);
  });

  test('PTR answers name.network; other types of a known name are NOERROR with no records', async () => {
    const web = await addressOf('web', 'front');
    expect((await dig('client', ['-x', web])).answers).toEqual([`${web.split('.').reverse().join('.')}.in-addr.arpa. 600 PTR web.front.`]);
    const mx = await dig('client', ['web', 'MX']);
    expect(mx.status).toBe('NOERROR');
    expect(mx.answers).toEqual([]);
  });

  test('scoping: a name on another network is not visible (NXDOMAIN from upstream)', async () => {
    expect((await dig('client', ['secret'])).status).toBe('NXDOMAIN');
    expect((await dig('secret', ['web'])).status).toBe('NXDOMAIN');
    expect((await dig('secret', ['secret'])).answers).toEqual([`secret. 600 A ${await addressOf('secret', 'back')}`]);
  });

  test('names that are not ours are forwarded to the host resolv.conf servers', async () => {
    expect((await dig('client', ['www.example.test'])).answers).toEqual(['www.example.test. 60 A 192.0.2.80']);
    expect((await dig('client', ['nothing.example.test'])).status).toBe('NXDOMAIN');
  });

  test('truncation: a big upstream answer gets TC over UDP and arrives whole over TCP', async () => {
    const udp = await dig('client', ['+ignore', '+bufsize=512', 'big.example.test']);
    expect(udp.flags.split(' ')).toContain('tc');
    expect((await dig('client', ['+tcp', 'big.example.test'])).answers).toHaveLength(40);
    // dig retries over TCP by itself on TC, as a stub resolver does.
    expect((await dig('client', ['+noedns', 'big.example.test'])).answers).toHaveLength(40);
  });

  test('resolv.conf of a user-network sandbox points at 127.0.0.11 with ndots:0 and the host search domains', async () => {
    const conf = await resolvConfIn({ name: 'conf-front', network: 'front' });
    expect(conf.split('\n').slice(1)).toEqual(['nameserver 127.0.0.11', 'search lab.test', 'options edns0 ndots:0']);
  });

  test('--dns, --dns-search and --dns-option: resolv.conf has the search/options, and --dns is the upstream', async () => {
    writeFileSync(resolvConf, 'nameserver 203.0.113.1\n');
    try {
      await berth(['run', '-d', '--name', 'custom', '--network', 'front', '--dns', '198.18.0.1', '--dns-search', 'corp.test', '--dns-option', 'ndots:3', '--', 'sleep', '600']);
      const conf = await berth(['exec', 'custom', '--', 'cat', '/etc/resolv.conf']);
      expect(conf.split('\n').slice(1)).toEqual(['nameserver 127.0.0.11', 'search corp.test', 'options ndots:3']);
      expect((await dig('custom', ['www.example.test'])).answers).toEqual(['www.example.test. 60 A 192.0.2.80']);
    } finally {
      writeFileSync(resolvConf, 'nameserver 198.18.0.1\nsearch lab.test\noptions edns0\n');
      await berth(['rm', '-f', 'custom']);
    }
  });

  test('the default bridge network has no embedded DNS: resolv.conf copies the host (without loopback servers)', async () => {
    const conf = await resolvConfIn({ name: 'conf-bridge', network: 'bridge' });
    expect(conf.split('\n').slice(1)).toEqual(['nameserver 198.18.0.1', 'search lab.test', 'options edns0']);
  });

  test('a loopback resolver in the host resolv.conf (like systemd-resolved) still works: forwarding is from the host namespace', async () => {
    const local = await startFakeUpstream(rig.lab, { netns: rig.host.netns, listen: '127.0.0.53:53', records: { 'local.example.test': '192.0.2.53' } });
    writeFileSync(resolvConf, 'nameserver 127.0.0.53\n');
    try {
      await berth(['run', '-d', '--name', 'stub', '--network', 'front', '--', 'sleep', '600']);
      expect((await dig('stub', ['local.example.test'])).answers).toEqual(['local.example.test. 60 A 192.0.2.53']);
    } finally {
      writeFileSync(resolvConf, 'nameserver 198.18.0.1\nsearch lab.test\noptions edns0\n');
      await berth(['rm', '-f', 'stub']);
      await stopProcess(local);
    }
  });

  test('internal network: local names answer, forwarding is off (SERVFAIL)', async () => {
    await berth(['network', 'create', '--internal', '--subnet', '10.63.0.0/24', 'vault']);
    await berth(['run', '-d', '--name', 'inside', '--network', 'vault', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'inside2', '--network', 'vault', '--', 'sleep', '600']);
    expect((await dig('inside', ['inside2'])).answers).toEqual([`inside2. 600 A ${await addressOf('inside2', 'vault')}`]);
    expect((await dig('inside', ['www.example.test'])).status).toBe('SERVFAIL');
    // A DNS server inside the internal network is an upstream it may use (asked from the sandbox's namespace).
    await berth(['run', '-d', '--name', 'vault-dns', '--network', 'vault', '--ip', '10.63.0.53', '--', 'sleep', '600']);
    const server = await startFakeUpstream(rig.lab, { netns: { path: await sandboxKey('vault-dns') }, listen: '10.63.0.53:53', records: { 'db.vault.test': '10.63.0.99' } });
    try {
      await berth(['run', '-d', '--name', 'inside3', '--network', 'vault', '--dns', '10.63.0.53', '--', 'sleep', '600']);
      expect((await dig('inside3', ['db.vault.test'])).answers).toEqual(['db.vault.test. 60 A 10.63.0.99']);
      expect((await dig('inside3', ['inside2'])).answers).toHaveLength(1);
    } finally {
      await stopProcess(server);
    }
    await berth(['rm', '-f', 'inside', 'inside2', 'inside3', 'vault-dns']);
    await berth(['network', 'rm', 'vault']);
  });

  test('IPv6: AAAA and ip6.arpa PTR for sandboxes on a dual-stack network', async () => {
    await berth(['network', 'create', '--ipv6', '--subnet', '10.64.0.0/24', '--subnet', 'fd00:64::/64', 'dual']);
    await berth(['run', '-d', '--name', 'six', '--network', 'dual', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'six-client', '--network', 'dual', '--', 'sleep', '600']);
    try {
      const inspect = (await rig.api('GET', '/containers/six/json')).body as { NetworkSettings: { Networks: Record<string, { GlobalIPv6Address: string }> } };
      const v6 = inspect.NetworkSettings.Networks['dual']?.GlobalIPv6Address ?? '';
      expect(v6).toMatch(/^fd00:64::/);
      expect((await dig('six-client', ['six', 'AAAA'])).answers).toEqual([`six. 600 AAAA ${v6}`]);
      expect((await dig('six-client', ['six', 'A'])).answers).toEqual([`six. 600 A ${await addressOf('six', 'dual')}`]);
      const ptr = await dig('six-client', ['-x', v6]);
      expect(ptr.answers).toHaveLength(1);
      expect(ptr.answers[0]).toMatch(/ip6\.arpa\. 600 PTR six\.dual\.$/);
    } finally {
      await berth(['rm', '-f', 'six', 'six-client']);
      await berth(['network', 'rm', 'dual']);
    }
  });

  test('records go at once on disconnect and rm; connect adds them', async () => {
    await berth(['run', '-d', '--name', 'temp', '--network', 'front', '--alias', 'tmp-alias', '--', 'sleep', '600']);
    expect((await dig('client', ['temp'])).answers).toHaveLength(1);
    await berth(['network', 'connect', '--alias', 'temp-back', 'back', 'temp']);
    expect((await dig('secret', ['temp-back'])).answers).toEqual([`temp-back. 600 A ${await addressOf('temp', 'back')}`]);
    await berth(['network', 'disconnect', 'front', 'temp']);
    expect((await dig('client', ['temp'])).status).toBe('NXDOMAIN');
    expect((await dig('client', ['tmp-alias'])).status).toBe('NXDOMAIN');
    expect((await dig('temp', ['secret'])).answers).toHaveLength(1);
    await berth(['rm', '-f', 'temp']);
    expect((await dig('secret', ['temp-back'])).status).toBe('NXDOMAIN');
  });

  test('upstream down: SERVFAIL within the timeout, while local names still answer at once', async () => {
    await stopProcess(upstream);
    try {
      const [forwarded, local] = await Promise.all([dig('client', ['www.example.test']), dig('client', ['web'])]);
      expect(forwarded.status).toBe('SERVFAIL');
      expect(forwarded.ms).toBeLessThan(DNS_TIMEOUT_MS + 1500);
      expect(local.answers).toHaveLength(1);
      expect(local.ms).toBeLessThan(DNS_TIMEOUT_MS);
    } finally {
      upstream = await startFakeUpstream(rig.lab, { netns: rig.lab.router.netns, listen: '198.18.0.1:53', records: { 'www.example.test': '192.0.2.80' } });
    }
  });

  test('after a daemon crash and restart, every sandbox resolves again', async () => {
    await rig.kill();
    await rig.start();
    expect((await dig('client', ['web'])).answers).toEqual([`web. 600 A ${await addressOf('web', 'front')}`]);
    expect((await dig('secret', ['secret'])).answers).toHaveLength(1);
    expect((await dig('client', ['www.example.test'])).answers).toEqual(['www.example.test. 60 A 192.0.2.80']);
  });
});
