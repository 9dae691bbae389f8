export { Lab } from './lab.js';
export type { LabHost, LabOptions } from './lab.js';
export { startDaemon } from './berthd.js';
export type { DaemonRig } from './berthd.js';
export { runInLab } from './lab-worker.js';
export { startFakeUpstream, stopProcess } from './upstream-rig.js';
