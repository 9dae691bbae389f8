import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { BerthError } from '../errors/index.js';
import type { Logger } from '../controller/index.js';
import { readJson } from '../api/http-io.js';
import { asObject } from '../api/wire/fields.js';
import type { IpamPlugin } from './ipam-plugin.js';
import type { NetworkPlugin } from './network-plugin.js';

type JsonObject = Record<string, unknown>;
type Handler = (body: JsonObject) => JsonObject | Promise<JsonObject>;

const BODY_LIMIT = 1024 * 1024;
const CONTENT_TYPE = 'application/vnd.docker.plugins.v1+json';

/** The Docker plugin protocol's paths (pkg/plugins; libnetwork drivers/remote and ipams/remote). */
function routes(network: NetworkPlugin, ipam: IpamPlugin): ReadonlyMap<string, Handler> {
  return new Map<string, Handler>([
    ['/Plugin.Activate', () => ({ Implements: ['NetworkDriver', 'IpamDriver'] })],
    ['/NetworkDriver.GetCapabilities', () => network.capabilities()],
    ['/NetworkDriver.CreateNetwork', (body) => network.createNetwork(body)],
    ['/NetworkDriver.DeleteNetwork', (body) => network.deleteNetwork(body)],
    ['/NetworkDriver.AllocateNetwork', () => ({ Options: {} })],
    ['/NetworkDriver.FreeNetwork', () => ({})],
    ['/NetworkDriver.CreateEndpoint', (body) => network.createEndpoint(body)],
    ['/NetworkDriver.EndpointOperInfo', (body) => network.endpointInfo(body)],
    ['/NetworkDriver.DeleteEndpoint', (body) => network.deleteEndpoint(body)],
    ['/NetworkDriver.Join', (body) => network.join(body)],
    ['/NetworkDriver.Leave', (body) => network.leave(body)],
    ['/NetworkDriver.ProgramExternalConnectivity', (body) => network.programExternalConnectivity(body)],
    ['/NetworkDriver.RevokeExternalConnectivity', (body) => network.revokeExternalConnectivity(body)],
    ['/NetworkDriver.DiscoverNew', () => ({})],
    ['/NetworkDriver.DiscoverDelete', () => ({})],
    ['/IpamDriver.GetCapabilities', () => ipam.capabilities()],
    ['/IpamDriver.GetDefaultAddressSpaces', () => ipam.defaultAddressSpaces()],
    ['/IpamDriver.RequestPool', (body) => ipam.requestPool(body)],
    ['/IpamDriver.ReleasePool', (body) => ipam.releasePool(body)],
    ['/IpamDriver.RequestAddress', (body) => ipam.requestAddress(body)],
    ['/IpamDriver.ReleaseAddress', (body) => ipam.releaseAddress(body)],
  ]);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The plugin socket dockerd talks to (/run/docker/plugins/berth.sock). Calls are answered one at
 * a time, in arrival order: dockerd's calls for one container depend on each other, and the
 * drivers' state is simplest to keep right serialised. Errors go back as `{"Err": ...}` (network
 * driver protocol) and `{"Error": ...}` (IPAM protocol) with a 500 status, which both of
 * dockerd's clients read.
 */
export function createPluginServer(init: { readonly network: NetworkPlugin; readonly ipam: IpamPlugin; readonly log: Logger }): Server {
  const table = routes(init.network, init.ipam);
  let queue: Promise<void> = Promise.resolve();
  return createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const handler = table.get(path);
    if (request.method !== 'POST' || handler === undefined) {
      send(response, 404, { Err: `${request.method ?? ''} ${path}: not implemented by the berth plugin` });
      return;
    }
    const run = async (): Promise<void> => {
      try {
        const raw = await readJson(request, BODY_LIMIT);
        const body = raw === undefined || raw === null ? {} : asObject(raw, 'body');
        const answer = await handler(body);
        send(response, 200, answer);
        init.log.debug({ path }, 'plugin call');
      } catch (error) {
        const message = error instanceof BerthError || error instanceof Error ? error.message : String(error);
        init.log.warn({ path, error: message }, 'plugin call failed');
        send(response, 500, { Err: message, Error: message });
      }
    };
    queue = queue.then(run, run);
  });
}
