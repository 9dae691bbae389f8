export { createApiServer, listenUnix } from './server.js';
export type { ApiServerOptions } from './server.js';
export type { SandboxRunner } from './sandbox-runner.js';
export { ERROR_STATUS } from './error-status.js';
export { API_VERSION, MIN_API_VERSION } from './versions.js';
