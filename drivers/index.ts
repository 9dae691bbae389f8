export { NullDriver } from './null/null-driver.js';
export { HostDriver } from './host/host-driver.js';
export { BridgeDriver } from './bridge/bridge-driver.js';
export { MacvlanDriver, ParentRegistry } from './macvlan/index.js';
export { OverlayDriver } from './overlay/index.js';
export { IpvlanDriver } from './ipvlan/index.js';
