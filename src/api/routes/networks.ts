import { parseFilters } from '../filters.js';
import { sendEmpty, sendJson } from '../http-io.js';
import { matchesNetworkList, NETWORK_LIST_FILTERS, NETWORK_PRUNE_FILTERS, prunedBy } from '../network-filters.js';
import { asObject, optionalBoolean, optionalString, stringList, stringMap } from '../wire/fields.js';
import { networkJson, parseNetworkCreate } from '../wire/network-wire.js';
import type { RouteContext } from './route-context.js';

/** `GET /networks?filters=`: NetworkSummary list. */
export function listNetworks({ controller, query, response }: RouteContext): void {
  const filters = parseFilters(query.get('filters'), NETWORK_LIST_FILTERS);
  const views = controller.listNetworks().filter((view) => matchesNetworkList(view, filters));
  sendJson(response, 200, views.map((view) => networkJson(view, { containers: false })));
}

/** `GET /networks/{id}`: NetworkInspect with Containers. */
export function inspectNetwork({ controller, params, response }: RouteContext): void {
  sendJson(response, 200, networkJson(controller.getNetwork(params[0] ?? ''), { containers: true }));
}

/** `POST /networks/create` → 201 {Id, Warning}. */
export async function createNetwork({ controller, body, response }: RouteContext): Promise<void> {
  const view = await controller.createNetwork(parseNetworkCreate(await body()));
  sendJson(response, 201, { Id: view.network.id, Warning: '' });
}

/** `DELETE /networks/{id}` → 204. */
export async function removeNetwork({ controller, params, response }: RouteContext): Promise<void> {
  await controller.removeNetwork(params[0] ?? '');
  sendEmpty(response, 204);
}

/** `POST /networks/prune?filters=` → {NetworksDeleted: [names]}. */
export async function pruneNetworks({ controller, query, response }: RouteContext): Promise<void> {
  const filters = parseFilters(query.get('filters'), NETWORK_PRUNE_FILTERS);
  const keep = prunedBy(filters);
  const deleted = await controller.pruneNetworks((view) => !keep(view));
  sendJson(response, 200, { NetworksDeleted: deleted });
}

/** `POST /networks/{id}/connect` {Container, EndpointConfig} → 200. */
export async function connectNetwork({ controller, params, body, response }: RouteContext): Promise<void> {
  const request = asObject(await body(), 'body');
  const config = asObject(request['EndpointConfig'], 'EndpointConfig');
  const ipam = asObject(config['IPAMConfig'], 'EndpointConfig.IPAMConfig');
  const ipv4Address = optionalString(ipam, 'IPv4Address', 'EndpointConfig.IPAMConfig.IPv4Address');
  const ipv6Address = optionalString(ipam, 'IPv6Address', 'EndpointConfig.IPAMConfig.IPv6Address');
  const macAddress = optionalString(config, 'MacAddress', 'EndpointConfig.MacAddress');
  await controller.connect({
    network: params[0] ?? '',
    sandbox: optionalString(request, 'Container') ?? '',
    aliases: stringList(config, 'Aliases', 'EndpointConfig.Aliases'),
    driverOptions: stringMap(config, 'DriverOpts', 'EndpointConfig.DriverOpts'),
    ...(ipv4Address === undefined ? {} : { ipv4Address }),
    ...(ipv6Address === undefined ? {} : { ipv6Address }),
    ...(macAddress === undefined ? {} : { macAddress }),
  });
  sendEmpty(response, 200);
}

/** `POST /networks/{id}/disconnect` {Container, Force} → 200. */
export async function disconnectNetwork({ controller, params, body, response }: RouteContext): Promise<void> {
  const request = asObject(await body(), 'body');
  const force = optionalBoolean(request, 'Force') === true;
  await controller.disconnect({ network: params[0] ?? '', sandbox: optionalString(request, 'Container') ?? '', force });
  sendEmpty(response, 200);
}
