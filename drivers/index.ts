export { NullDriver } from './null/null-driver.js';
export { HostDriver } from './host/host-driver.js';
