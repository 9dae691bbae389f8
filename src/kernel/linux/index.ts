export { LinuxKernel, openNetnsKernel } from './linux-kernel.js';
export type { LinuxKernelOptions } from './linux-kernel.js';
export { LinuxNetnsOps } from './netns-ops.js';
export { withNetns, openNetnsFd } from './netns-switch.js';
export { LinuxSocketOps } from './socket-ops.js';
export { spawnSandboxProcess, processAlive, processStartTime } from './process-ops.js';
export type { SandboxProcessSpec } from './process-ops.js';
export { raiseOpenFileLimit } from './file-limit.js';
export { releaseFreeMemory } from './memory-trim.js';
