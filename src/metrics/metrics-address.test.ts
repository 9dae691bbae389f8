import { describe, expect, test } from 'vitest';
import { parseMetricsAddress } from './metrics-address.js';

describe('parseMetricsAddress', () => {
  test('unix sockets and loopback TCP', () => {
    expect(parseMetricsAddress('unix:///run/berth/metrics.sock')).toEqual({ kind: 'unix', path: '/run/berth/metrics.sock' });
    expect(parseMetricsAddress('127.0.0.1:9323')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9323 });
    expect(parseMetricsAddress('tcp://127.0.0.2:9323')).toEqual({ kind: 'tcp', host: '127.0.0.2', port: 9323 });
    expect(parseMetricsAddress('[::1]:9323')).toEqual({ kind: 'tcp', host: '::1', port: 9323 });
    expect(parseMetricsAddress('localhost:1')).toEqual({ kind: 'tcp', host: 'localhost', port: 1 });
  });

  test('non-loopback TCP only with allowRemote', () => {
    expect(() => parseMetricsAddress('0.0.0.0:9323')).toThrow(/not a loopback address.*--metrics-allow-remote/);
    expect(() => parseMetricsAddress('[::]:9323')).toThrow(/not a loopback address/);
    expect(parseMetricsAddress('10.0.0.5:9323', { allowRemote: true })).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 9323 });
  });

  test('malformed addresses name the flag', () => {
    for (const bad of ['unix://relative', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'example.com:80', ':9323']) {
      expect(() => parseMetricsAddress(bad), bad).toThrow(/--metrics-addr/);
    }
  });
});
