export { BerthMetrics } from './berth-metrics.js';
export type { ApiRequestSample } from './berth-metrics.js';
export { parseMetricsAddress } from './metrics-address.js';
export type { MetricsAddress } from './metrics-address.js';
export { serveMetrics } from './metrics-server.js';
export type { MetricsSource } from './metrics-server.js';
export { observedForwarder } from './observed-forwarder.js';
export { timedFirewall, timedKernel } from './timed-kernel.js';
export type { KernelObserver } from './timed-kernel.js';
