import type { CreateNetworkInput } from '../controller/index.js';

/**
 * Docker's predefined networks, created at start when missing: `bridge` on berth0 (first
 * default pool, 172.17.0.0/16 unless the host routes it already), `host` and `none`. Unlike
 * Docker, berth keeps `bridge` (and its id) across restarts instead of re-creating it.
 */
export const PREDEFINED_NETWORKS: readonly CreateNetworkInput[] = [
  {
    name: 'bridge',
    driver: 'bridge',
    options: { 'com.docker.network.bridge.name': 'berth0', 'com.docker.network.bridge.default_bridge': 'true' },
  },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
];
