export { createPluginServer } from './plugin-server.js';
export { NetworkPlugin, DRIVER_OPTION, portBindings } from './network-plugin.js';
export { IpamPlugin } from './ipam-plugin.js';
export { PluginState } from './plugin-state.js';
export type { PluginStateData, PluginNetwork, PluginEndpoint, PluginPool } from './plugin-state.js';
