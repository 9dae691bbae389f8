import { describe, expect, test } from 'vitest';
import { parsePortSpec } from './port-spec.js';

describe('-p parsing', () => {
  test('Docker\'s forms', () => {
    expect(parsePortSpec('80')).toEqual([{ hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('8080:80')).toEqual([{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('0.0.0.0:53:53/udp')).toEqual([{ hostPort: 53, containerPort: 53, protocol: 'udp' }]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([{ hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePortSpec('8000-8002:80-82')).toEqual([
      { hostPort: 8000, containerPort: 80, protocol: 'tcp' }, { hostPort: 8001, containerPort: 81, protocol: 'tcp' }, { hostPort: 8002, containerPort: 82, protocol: 'tcp' },
    ]);
  });

  test('bad forms name the problem', () => {
    expect(() => parsePortSpec('8080:80/icmp')).toThrow(/protocol must be tcp, udp or sctp/);
    expect(() => parsePortSpec('70000:80')).toThrow(/ports must be 1-65535/);
    expect(() => parsePortSpec('8000-8001:80-82')).toThrow(/same length/);
    expect(() => parsePortSpec('1.2.3:80:80')).toThrow(/is not an IP address/);
    expect(() => parsePortSpec('a:b:c:d')).toThrow(/expected \[ip:\]\[hostPort:\]containerPort/);
    expect(() => parsePortSpec('')).toThrow(/invalid port publication/);
  });
});
