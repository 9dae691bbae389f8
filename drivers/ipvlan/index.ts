export { IpvlanDriver } from './ipvlan-driver.js';
