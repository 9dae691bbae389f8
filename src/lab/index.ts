export { Lab } from './lab.js';
export type { LabHost, LabOptions } from './lab.js';
