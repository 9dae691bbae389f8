export { createApiServer, listenUnix } from './server.js';
export type { ApiLogger, ApiServerOptions } from './server.js';
export type { SandboxRunner, SandboxStatus } from './sandbox-runner.js';
export type { SystemResetHook } from './system-reset-hook.js';
export { ERROR_STATUS } from './error-status.js';
export { API_VERSION, MIN_API_VERSION } from './versions.js';
