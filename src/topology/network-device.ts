import type { NetworkDevice } from './topology.js';

/** Docker's option keys the device names depend on (the drivers' options.ts parse them for real). */
const BRIDGE_NAME = 'com.docker.network.bridge.name';
const VXLAN_ID_LIST = 'com.docker.network.driver.overlay.vxlanid_list';
const PARENT = 'parent';
const VLAN_PARENT = /^(.+)\.(\d{1,4})$/;

/** What the device name depends on: a network's id, driver, options and whether it is internal. */
export interface DeviceSource {
  readonly id: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly options: Readonly<Record<string, string>>;
}

function parentDevice(source: DeviceSource, modeKey: string): NetworkDevice {
  const id12 = source.id.slice(0, 12);
  const parent = source.options[PARENT];
  // drivers/macvlan/parent-option.ts: no parent, or an internal network, gets a dummy parent.
  const name = parent === undefined || parent === '' || source.internal ? `dm-${id12}` : parent;
  const vlan = VLAN_PARENT.exec(name);
  const vlanId = Number(vlan?.[2]);
  return {
    kind: 'parent', name, mode: source.options[modeKey],
    vlan: vlan?.[1] === undefined || vlanId < 1 || vlanId > 4094 ? undefined : { link: vlan[1], id: vlanId },
  };
}

/** The device names berth's drivers derive from a network's id and options. */
export function networkDevice(source: DeviceSource): NetworkDevice {
  const id12 = source.id.slice(0, 12);
  switch (source.driver) {
    case 'bridge':
      return { kind: 'bridge', name: source.options[BRIDGE_NAME] ?? `br-${id12}` };
    case 'macvlan':
      return parentDevice(source, 'macvlan_mode');
    case 'ipvlan':
      return parentDevice(source, 'ipvlan_mode');
    case 'overlay': {
      // The VNI shows only when the user chose it; an allocated one lives in the driver's state.
      const first = source.options[VXLAN_ID_LIST]?.split(',')[0]?.trim();
      const vni = first === undefined || !/^\d+$/.test(first) ? undefined : Number(first);
      return { kind: 'overlay', bridge: `ov-${id12}`, vxlan: `vx-${id12}`, vni };
    }
    default:
      return { kind: 'none' };
  }
}

/** One line naming the device: `bridge br-0123456789ab`, `parent eth0.100 (VLAN 100 on eth0)`, ... */
export function describeDevice(device: NetworkDevice): string {
  switch (device.kind) {
    case 'bridge':
      return `bridge ${device.name}`;
    case 'parent': {
      const mode = device.mode === undefined ? '' : `, ${device.mode} mode`;
      return device.vlan === undefined ? `parent ${device.name}${mode}` : `parent ${device.name} (VLAN ${device.vlan.id} on ${device.vlan.link}${mode})`;
    }
    case 'overlay':
      return `bridge ${device.bridge}, vxlan ${device.vxlan}${device.vni === undefined ? '' : ` VNI ${device.vni}`}`;
    case 'none':
      return 'no device';
  }
}
