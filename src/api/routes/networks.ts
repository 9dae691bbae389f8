import type { NetworkView } from '../../controller/index.js';
import { matchesLabels, parseFilters } from '../filters.js';
import type { Filters } from '../filters.js';
import { sendEmpty, sendJson } from '../http-io.js';
import { asObject, optionalBoolean, optionalString, stringList, stringMap } from '../wire/fields.js';
import { networkJson, parseNetworkCreate } from '../wire/network-wire.js';
import type { RouteContext, RouteTable } from './route-context.js';

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];

function matchesName(value: string, patterns: readonly string[] | undefined): boolean {
  // Docker matches id and name filters as unanchored regular expressions (substring for plain text).
  return patterns === undefined || patterns.some((pattern) => {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return value.includes(pattern);
    }
  });
}

function matchesList(view: NetworkView, filters: Filters): boolean {
  const { network } = view;
  const one = (key: string): readonly string[] | undefined => filters.get(key);
  const type = network.predefined ? 'builtin' : 'custom';
  const dangling = one('dangling')?.[0];
  return matchesName(network.name, one('name'))
    && matchesName(network.id, one('id'))
    && (one('driver')?.includes(network.driver) ?? true)
    && (one('scope')?.includes(network.scope) ?? true)
    && (one('type')?.includes(type) ?? true)
    && matchesLabels(network.labels, one('label'))
    && (dangling === undefined || ((dangling === 'true' || dangling === '1') === (view.endpoints.length === 0 && !network.predefined)));
}

function untilMatches(created: string, until: readonly string[] | undefined): boolean {
  const limit = until?.[0];
  if (limit === undefined) return true;
  const asNumber = Number(limit);
  const cutoff = Number.isFinite(asNumber) ? asNumber * 1000 : Date.parse(limit);
  return Number.isNaN(cutoff) || Date.parse(created) <= cutoff;
}

/** The /networks family of the Engine API. */
export const NETWORK_ROUTES: RouteTable = [
  ['GET', /^\/networks$/, ({ controller, query, response }: RouteContext) => {
    const filters = parseFilters(query.get('filters'), LIST_FILTERS);
    sendJson(response, 200, controller.listNetworks().filter((view) => matchesList(view, filters)).map((view) => networkJson(view, { containers: false })));
  }],
  ['POST', /^\/networks\/create$/, async ({ controller, body, response }) => {
    const view = await controller.createNetwork(parseNetworkCreate(await body()));
    sendJson(response, 201, { Id: view.network.id, Warning: '' });
  }],
  ['POST', /^\/networks\/prune$/, async ({ controller, query, response }) => {
    const filters = parseFilters(query.get('filters'), PRUNE_FILTERS);
    const deleted = await controller.pruneNetworks((view) =>
      !untilMatches(view.network.created, filters.get('until'))
      || !matchesLabels(view.network.labels, filters.get('label'))
      || ((filters.get('label!')?.length ?? 0) > 0 && matchesLabels(view.network.labels, filters.get('label!'))));
    sendJson(response, 200, { NetworksDeleted: deleted });
  }],
  ['GET', /^\/networks\/([^/]+)$/, ({ controller, params, response }) => {
    sendJson(response, 200, networkJson(controller.getNetwork(params[0] ?? ''), { containers: true }));
  }],
  ['DELETE', /^\/networks\/([^/]+)$/, async ({ controller, params, response }) => {
    await controller.removeNetwork(params[0] ?? '');
    sendEmpty(response, 204);
  }],
  ['POST', /^\/networks\/([^/]+)\/connect$/, async ({ controller, params, body, response }) => {
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
  }],
  ['POST', /^\/networks\/([^/]+)\/disconnect$/, async ({ controller, params, body, response }) => {
    const request = asObject(await body(), 'body');
    await controller.disconnect({ network: params[0] ?? '', sandbox: optionalString(request, 'Container') ?? '', force: optionalBoolean(request, 'Force') === true });
    sendEmpty(response, 200);
  }],
];
