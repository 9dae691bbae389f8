import { describe, expect, test } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { parseOverlayOptions } from './options.js';

describe('overlay options', () => {
  test('none: VNI allocated later, MTU from the uplink', () => {
    expect(parseOverlayOptions({})).toEqual({ vni: undefined, mtu: undefined });
  });

  test('vxlanid_list chooses the VNI; mtu is kept, 0 means the default', () => {
    expect(parseOverlayOptions({ 'com.docker.network.driver.overlay.vxlanid_list': '5000', 'com.docker.network.driver.mtu': '1400' })).toEqual({ vni: 5000, mtu: 1400 });
    expect(parseOverlayOptions({ 'com.docker.network.driver.mtu': '0' }).mtu).toBeUndefined();
  });

  test.each([
    [{ 'com.docker.network.driver.overlay.vxlanid_list': '0' }],
    [{ 'com.docker.network.driver.overlay.vxlanid_list': '16777216' }],
    [{ 'com.docker.network.driver.overlay.vxlanid_list': '4096,4097' }],
    [{ 'com.docker.network.driver.overlay.vxlanid_list': 'x' }],
    [{ 'com.docker.network.driver.mtu': '60' }],
    [{ 'com.docker.network.bridge.name': 'br0' }],
  ])('%j is INVALID_OPTION', (options) => {
    let thrown: unknown;
    try {
      parseOverlayOptions(options);
    } catch (error) {
      thrown = error;
    }
    expect(hasCode(thrown, 'INVALID_OPTION')).toBe(true);
  });
});
