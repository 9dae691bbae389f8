import { describe, expect, test } from 'vitest';
import { daemonCommand, toDaemonOptions } from './options.js';

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
