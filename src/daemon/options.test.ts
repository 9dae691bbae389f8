import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { daemonCommand, resolveDaemonOptions, toDaemonOptions } from './options.js';

function parse(args: readonly string[]): ReturnType<typeof toDaemonOptions> {
  const command = daemonCommand('0.0.0').exitOverride();
  command.parse([...args], { from: 'user' });
  return toDaemonOptions(command.opts());
}

describe('berthd --metrics-addr', () => {
  test('off by default; unix and loopback accepted', () => {
    expect(parse([]).metrics).toBeUndefined();
    expect(parse(['--metrics-addr', 'unix:///run/berth/metrics.sock']).metrics).toEqual({ kind: 'unix', path: '/run/berth/metrics.sock' });
    expect(parse(['--metrics-addr', '127.0.0.1:9323']).metrics).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9323 });
  });

  test('a non-loopback address needs --metrics-allow-remote', () => {
    expect(() => parse(['--metrics-addr', '0.0.0.0:9323'])).toThrow(/--metrics-allow-remote/);
    expect(parse(['--metrics-addr', '0.0.0.0:9323', '--metrics-allow-remote']).metrics).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 9323 });
  });
});

describe('berthd -H tcp:// (TLS with client certificates only)', () => {
  test('refuses a TCP listener without --tlscacert, --tlscert and --tlskey, naming what is missing', () => {
    expect(parse([]).tls).toBeUndefined();
    expect(() => parse(['-H', 'tcp://127.0.0.1:2376'])).toThrow(/requires TLS with client certificates; give --tlscacert, --tlscert and --tlskey \(missing: --tlscacert, --tlscert, --tlskey\)/);
    expect(() => parse(['-H', 'tcp://127.0.0.1:2376', '--tlscacert', 'ca.pem', '--tlscert', 'cert.pem'])).toThrow(/\(missing: --tlskey\)/);
    expect(parse(['-H', 'tcp://10.0.0.1:2376', '--tlsverify', '--tlscacert', 'ca.pem', '--tlscert', 'cert.pem', '--tlskey', 'key.pem']))
      .toMatchObject({ hosts: ['tcp://10.0.0.1:2376'], tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } });
  });
});

describe('berthd config file (/etc/berth/daemon.json)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'berth-config-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function withFile(content: unknown, args: readonly string[] = []): ReturnType<typeof toDaemonOptions> {
    const path = join(directory, `daemon-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    const command = daemonCommand('0.0.0').exitOverride();
    command.parse(['--config-file', path, ...args], { from: 'user' });
    return resolveDaemonOptions(command);
  }

  test('keys are the flag names; flags win; repeatable flags take lists, switches booleans', () => {
    const options = withFile({
      'log-level': 'debug', 'root': '/srv/berth', 'dns-ttl': 60, 'host': ['tcp://127.0.0.1:2376'], 'tlscacert': '/etc/berth/ca.pem', 'tlscert': '/etc/berth/cert.pem', 'tlskey': '/etc/berth/key.pem', 'default-address-pool': ['base=10.200.0.0/16,size=24'],
      'metrics-addr': '0.0.0.0:9323', 'metrics-allow-remote': true, 'firewall': 'iptables',
    }, ['--root', '/var/lib/other']);
    expect(options).toMatchObject({
      logLevel: 'debug', root: '/var/lib/other', dnsTtl: 60, hosts: ['tcp://127.0.0.1:2376'], tls: { ca: '/etc/berth/ca.pem', cert: '/etc/berth/cert.pem', key: '/etc/berth/key.pem' }, defaultAddressPools: ['base=10.200.0.0/16,size=24'],
      metrics: { kind: 'tcp', host: '0.0.0.0', port: 9323 }, firewall: 'iptables', runRoot: '/run/berth',
    });
  });

  test('a missing default file is fine; a missing named file, bad JSON, unknown keys and wrong types are clear errors', () => {
    const command = daemonCommand('0.0.0').exitOverride();
    command.parse([], { from: 'user' });
    command.setOptionValueWithSource('configFile', join(directory, 'absent.json'), 'default');
    expect(resolveDaemonOptions(command).root).toBe('/var/lib/berth');
    const named = daemonCommand('0.0.0').exitOverride();
    named.parse(['--config-file', join(directory, 'absent.json')], { from: 'user' });
    expect(() => resolveDaemonOptions(named)).toThrow(/absent\.json: cannot read the config file: ENOENT/);
    expect(() => withFile('{"log-level": ')).toThrow(/invalid JSON/);
    expect(() => withFile({ 'log-levle': 'debug' })).toThrow(/unknown key "log-levle" \(known: .*log-level/);
    expect(() => withFile({ 'config-file': '/x' })).toThrow(/unknown key "config-file"/);
    expect(() => withFile({ host: 'tcp://127.0.0.1:1' })).toThrow(/"host" must be a list/);
    expect(() => withFile({ 'metrics-allow-remote': 'yes' })).toThrow(/must be true or false/);
    expect(() => withFile({ firewall: 'pf' })).toThrow(/"firewall" must be one of nftables, iptables, none/);
    expect(() => withFile([1])).toThrow(/expected a JSON object/);
  });
});
