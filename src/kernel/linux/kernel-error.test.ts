import { describe, expect, test } from 'vitest';
import { errnoOf, kernelError } from './kernel-error.js';
import { sysctlPath } from './sysctl-ops.js';
import { formatIp, formatMac, parseIp, parseMac } from './wire-format.js';
import { BerthError } from '../../errors/index.js';

describe('kernel errors', () => {
  test('netlink rejections become codes per kind of object, naming operation, object and errno', () => {
    const error = kernelError(new Error('Request rejected: EEXIST'), { operation: 'create bridge link', object: 'br0', codes: { EEXIST: 'LINK_EXISTS' } });
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'LINK_EXISTS', errno: 'EEXIST', operation: 'create bridge link', object: 'br0', message: 'create bridge link br0: EEXIST' });
  });

  test('generic errnos map to generic codes; unknown ones to KERNEL_FAILURE', () => {
    expect(kernelError(new Error('Request rejected: EPERM'), { operation: 'x', object: 'y' }).code).toBe('PERMISSION_DENIED');
    expect(kernelError(new Error('Request rejected: ENOTSUP'), { operation: 'create vlan link', object: 'v', unsupportedHint: 'module 8021q is missing' }).message)
      .toBe('create vlan link v: ENOTSUP (module 8021q is missing)');
    expect(kernelError(new Error('Request rejected: EBUSY'), { operation: 'x', object: 'y' }).code).toBe('KERNEL_FAILURE');
    expect(kernelError(new Error('weird'), { operation: 'x', object: 'y' }).message).toBe('x y: weird');
  });

  test('errno is read from Node errors and numeric netlink codes', () => {
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoOf(new Error('Request rejected: 17'))).toBe('EEXIST');
    expect(errnoOf('nope')).toBeUndefined();
  });
});

describe('wire formats', () => {
  test('IPv4 and IPv6 addresses with prefixes', () => {
    expect(parseIp('172.18.0.1/16')).toMatchObject({ family: 4, prefixLength: 16, text: '172.18.0.1' });
    expect(parseIp('fd00::1/64')).toMatchObject({ family: 6, prefixLength: 64, text: 'fd00::1' });
    expect(formatIp(parseIp('fd00::1').bytes)).toBe('fd00::1');
    expect(formatIp(parseIp('10.1.2.3').bytes)).toBe('10.1.2.3');
    expect(() => parseIp('10.1.2.256', 'gateway')).toThrow('gateway "10.1.2.256": not an IPv4 or IPv6 address');
  });

  test('MAC addresses', () => {
    expect(formatMac(parseMac('02:42:AC:11:00:02'))).toBe('02:42:ac:11:00:02');
    expect(() => parseMac('02:42:ac:11:00')).toThrow(/expected six hex pairs/);
  });

  test('sysctl keys: only net.*, dots or slashes, no escapes', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath('net/ipv6/conf/eth0.100/accept_dad')).toBe('/proc/sys/net/ipv6/conf/eth0.100/accept_dad');
    expect(() => sysctlPath('kernel.pid_max')).toThrow(/only net\.\* keys/);
    expect(() => sysctlPath('net/ipv4/../../kernel')).toThrow(BerthError);
  });
});
