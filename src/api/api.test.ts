import { describe, expect, test } from 'vitest';
import { ERROR_STATUS } from './error-status.js';
import { matchesLabels, parseFilters } from './filters.js';
import { parseNetworkCreate } from './wire/network-wire.js';

describe('API edge', () => {
  test('every error code has a Docker-like status', () => {
    expect(ERROR_STATUS.NETWORK_EXISTS).toBe(409);
    expect(ERROR_STATUS.PREDEFINED_NETWORK).toBe(403);
    expect(ERROR_STATUS.NETWORK_HAS_ENDPOINTS).toBe(403);
    expect(ERROR_STATUS.NETWORK_NOT_FOUND).toBe(404);
    expect(ERROR_STATUS.BAD_REQUEST).toBe(400);
    for (const status of Object.values(ERROR_STATUS)) expect([400, 403, 404, 409, 413, 500, 501, 503]).toContain(status);
  });

  test('filters in both wire forms; unknown keys refused', () => {
    expect([...parseFilters('{"name":{"front":true},"driver":["bridge"]}', ['name', 'driver'])]).toEqual([['name', ['front']], ['driver', ['bridge']]]);
    expect(() => parseFilters('{"colour":{"red":true}}', ['name'])).toThrow("invalid filter 'colour'");
    expect(() => parseFilters('{nope', ['name'])).toThrow('invalid filters');
    expect(matchesLabels({ a: '1' }, ['a', 'a=1'])).toBe(true);
    expect(matchesLabels({ a: '1' }, ['a=2'])).toBe(false);
  });

  test('network create bodies: wrong types name the field', () => {
    expect(() => parseNetworkCreate({ Name: 'x', Internal: 'yes' })).toThrow('invalid JSON: field "Internal" must be a boolean');
    expect(() => parseNetworkCreate({ Name: 'x', IPAM: { Config: [{ Subnet: 7 }] } })).toThrow('field "IPAM.Config[0].Subnet" must be a string');
    expect(() => parseNetworkCreate({ Name: 'x', Labels: { a: 1 } })).toThrow('field "Labels.a" must be a string');
    expect(() => parseNetworkCreate([1, 2])).toThrow('field "body" must be an object');
    expect(parseNetworkCreate({ Name: 'x', CheckDuplicate: true, IPAM: { Config: [{ Subnet: '10.0.0.0/24', AuxiliaryAddresses: { r: '10.0.0.5' } }] } })).toMatchObject({
      name: 'x', ipam: { config: [{ subnet: '10.0.0.0/24', auxAddresses: { r: '10.0.0.5' } }] },
    });
  });
});
