import { createSandbox, inspectContainer, listContainers, removeContainer } from './routes/containers.js';
import { streamEvents } from './routes/events.js';
import { connectNetwork, createNetwork, disconnectNetwork, inspectNetwork, listNetworks, pruneNetworks, removeNetwork } from './routes/networks.js';
import type { RouteTable } from './routes/route-context.js';
import { resetSystem } from './routes/system-reset.js';
import { getInfo, getVersion, ping } from './routes/system.js';

const ID = '([^/]+)';

/**
 * Every route of the API, in match order (paths without the `/v1.NN` prefix). Anything else
 * is 404 `page not found`. `/networks/create` and `/networks/prune` precede `/networks/{id}`.
 */
export const ROUTES: RouteTable = [
  ['GET', /^\/_ping$/, ping],
  ['HEAD', /^\/_ping$/, ping],
  ['GET', /^\/version$/, getVersion],
  ['GET', /^\/info$/, getInfo],
  ['GET', /^\/events$/, streamEvents],
  ['GET', /^\/networks\/?$/, listNetworks],
  ['POST', /^\/networks\/create$/, createNetwork],
  ['POST', /^\/networks\/prune$/, pruneNetworks],
  ['GET', new RegExp(`^/networks/${ID}$`), inspectNetwork],
  ['DELETE', new RegExp(`^/networks/${ID}$`), removeNetwork],
  ['POST', new RegExp(`^/networks/${ID}/connect$`), connectNetwork],
  ['POST', new RegExp(`^/networks/${ID}/disconnect$`), disconnectNetwork],
  ['GET', /^\/containers\/json$/, listContainers],
  ['GET', new RegExp(`^/containers/${ID}/json$`), inspectContainer],
  ['DELETE', new RegExp(`^/containers/${ID}$`), removeContainer],
  ['POST', /^\/berth\/sandboxes$/, createSandbox],
  ['POST', /^\/berth\/system\/reset$/, resetSystem],
];
