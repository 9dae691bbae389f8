export { MacvlanDriver } from './macvlan-driver.js';
export { ParentRegistry } from './parent-registry.js';
