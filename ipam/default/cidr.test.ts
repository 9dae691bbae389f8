import { describe, expect, test } from 'vitest';
import { containsAddress, formatAddress, overlaps, parseAddress, parsePrefix } from './cidr.js';

describe('cidr helpers', () => {
  test('overlaps: nested, disjoint, adjacent, across families, plain addresses', () => {
    expect(overlaps('10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(overlaps('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(overlaps('10.0.0.0/24', '10.0.1.0/24')).toBe(false);
    expect(overlaps('10.0.0.0/23', '10.0.1.0/24')).toBe(true);
    expect(overlaps('10.0.0.0/8', 'fd00::/8')).toBe(false);
    expect(overlaps('192.168.1.1', '192.168.0.0/16')).toBe(true);
    expect(overlaps('fd00::1', 'fd00::/64')).toBe(true);
    expect(overlaps('10.0.0.5/24', '10.0.0.0/24')).toBe(true);
    expect(() => overlaps('nope', '10.0.0.0/8')).toThrow(/invalid prefix "nope"/);
  });

  test('containsAddress: inside, edges, outside, other family', () => {
    expect(containsAddress('172.18.0.0/16', '172.18.255.255')).toBe(true);
    expect(containsAddress('172.18.0.0/16', '172.18.0.0')).toBe(true);
    expect(containsAddress('172.18.0.0/16', '172.19.0.0')).toBe(false);
    expect(containsAddress('fd00:1::/64', 'fd00:1::abcd')).toBe(true);
    expect(containsAddress('fd00:1::/64', '172.18.0.1')).toBe(false);
    expect(() => containsAddress('172.18.0.0/16', '172.18.0.1/32')).toThrow(/not an IP address/);
  });

  test('parsePrefix: canonical text, strict host bits, plain addresses only when allowed', () => {
    expect(parsePrefix('fd00:0:0:1::/64', { field: 'subnet' }).text).toBe('fd00:0:0:1::/64');
    expect(parsePrefix('10.1.2.3/16', { field: 'subnet' }).text).toBe('10.1.0.0/16');
    expect(() => parsePrefix('10.1.2.3/16', { field: 'subnet', strict: true })).toThrow(
      'invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16',
    );
    expect(() => parsePrefix('fd00::1/64', { field: 'subnet', strict: true })).toThrow(
      'invalid subnet fd00::1/64: it should be fd00::/64',
    );
    expect(() => parsePrefix('10.0.0.1', { field: 'subnet' })).toThrow(
      /invalid subnet "10.0.0.1": not a CIDR/,
    );
    expect(parsePrefix('10.0.0.1', { field: 'exclude', allowAddress: true }).text).toBe('10.0.0.1/32');
    expect(() => parsePrefix('10.0.0.0/33', { field: 'subnet' })).toThrow(/not a CIDR/);
    expect(() => parsePrefix('fe80::1%eth0/64', { field: 'subnet' })).toThrow(/not a CIDR/);
  });

  test('addresses round-trip through bigint', () => {
    const v4 = parseAddress('10.0.0.255');
    expect(v4).toEqual({ family: 4, value: 0x0a0000ffn });
    expect(formatAddress(4, v4.value + 1n)).toBe('10.0.1.0');
    expect(formatAddress(6, parseAddress('fd00:0::0001').value)).toBe('fd00::1');
    expect(() => parseAddress('10.0.0', 'gateway')).toThrow(/invalid gateway "10.0.0"/);
  });
});
