import { rt } from 'netlink';
import type { RouteMessage } from 'netlink/dist/rt/structs.js';
import { BERTH_ROUTE_PROTOCOL } from '../route.js';
import type { RouteInfo, RouteOps, RouteSpec } from '../route.js';
import { BerthError, hasCode } from '../../errors/index.js';
import { kernelCall, kernelDump } from './kernel-error.js';
import type { LinuxLinkOps } from './link-ops.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from './rtnl.js';
import type { RtNetlinkSocket } from './rtnl.js';
import { AF_INET, AF_INET6 } from './libc.js';
import { formatIp, parseIp } from './wire-format.js';

const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;
const SCOPES = { universe: 0, link: 253, host: 254 } as const;

function describe(route: RouteSpec): string {
  return [route.destination, route.gateway === undefined ? '' : `via ${route.gateway}`, route.link === undefined ? '' : `dev ${route.link}`]
    .filter((part) => part !== '')
    .join(' ');
}

/** Routes of one namespace; berth's routes carry BERTH_ROUTE_PROTOCOL. */
export class LinuxRouteOps implements RouteOps {
  readonly #socket: RtNetlinkSocket;
  readonly #links: LinuxLinkOps;

  constructor(socket: RtNetlinkSocket, links: LinuxLinkOps) {
    this.#socket = socket;
    this.#links = links;
  }

  async #message(route: RouteSpec): Promise<{ data: Record<string, number>; attrs: Record<string, Buffer | number> }> {
    const gateway = route.gateway === undefined ? undefined : parseIp(route.gateway, 'gateway');
    const isDefault = route.destination === 'default' || route.destination === 'default6';
    const destination = isDefault ? undefined : parseIp(route.destination, 'route destination');
    const family = destination?.family ?? gateway?.family ?? (route.destination === 'default6' ? 6 : 4);
    if (gateway !== undefined && gateway.family !== family) {
      throw new BerthError('INVALID_ARGUMENT', `route ${describe(route)}: gateway and destination differ in IP family`, { object: describe(route) });
    }
    const oif = route.link === undefined ? undefined : (await this.#links.get(route.link)).index;
    const table = route.table ?? RT_TABLE_MAIN;
    return {
      data: {
        family: family === 4 ? AF_INET : AF_INET6,
        dstLen: destination?.prefixLength ?? 0,
        table: table < 256 ? table : 0,
        protocol: BERTH_ROUTE_PROTOCOL,
        scope: SCOPES[route.scope ?? (gateway === undefined && oif !== undefined ? 'link' : 'universe')],
        type: RTN_UNICAST,
      },
      attrs: {
        table,
        ...(destination === undefined ? {} : { dst: destination.bytes }),
        ...(gateway === undefined ? {} : { gateway: gateway.bytes }),
        ...(oif === undefined ? {} : { oif }),
        ...(route.metric === undefined ? {} : { priority: route.metric }),
      },
    };
  }

  async add(route: RouteSpec): Promise<void> {
    const message = await this.#message(route);
    await kernelCall({ operation: 'add route', object: describe(route), codes: { EEXIST: 'ROUTE_EXISTS' } }, () =>
      this.#socket.newRoute(message.data, message.attrs, { flags: NLM_F_CREATE | NLM_F_EXCL }),
    );
  }

  async replace(route: RouteSpec): Promise<void> {
    const message = await this.#message(route);
    await kernelCall({ operation: 'replace route', object: describe(route) }, () =>
      this.#socket.newRoute(message.data, message.attrs, { flags: NLM_F_CREATE | NLM_F_REPLACE }),
    );
  }

  async remove(route: RouteSpec): Promise<void> {
    if (route.link !== undefined && (await this.#links.find(route.link)) === undefined) return;
    const message = await this.#message(route);
    try {
      await kernelCall({ operation: 'remove route', object: describe(route), codes: { ESRCH: 'ROUTE_NOT_FOUND', ENOENT: 'ROUTE_NOT_FOUND' } }, () =>
        this.#socket.delRoute(message.data, message.attrs),
      );
    } catch (error) {
      if (!hasCode(error, 'ROUTE_NOT_FOUND')) throw error;
    }
  }

  async list(options: { readonly family?: 4 | 6; readonly table?: number } = {}): Promise<readonly RouteInfo[]> {
    const links = await this.#links.list();
    const names = new Map(links.map((entry) => [entry.index, entry.name]));
    const table = options.table ?? RT_TABLE_MAIN;
    const messages = await kernelDump({ operation: 'list routes', object: `table ${table}` }, () =>
      this.#socket.getRoutes(options.family === undefined ? {} : { family: options.family === 4 ? AF_INET : AF_INET6 }),
    );
    return messages
      .filter((message): message is RouteMessage => message.kind === 'route')
      .filter((message) => (message.attrs.table ?? message.data.table) === table)
      .map((message): RouteInfo => {
        const family = message.data.family === AF_INET6 ? 6 : 4;
        const dst = message.attrs.dst;
        return {
          destination: dst === undefined ? (family === 4 ? 'default' : 'default6') : `${formatIp(dst)}/${message.data.dstLen ?? 0}`,
          gateway: message.attrs.gateway === undefined ? undefined : formatIp(message.attrs.gateway),
          link: message.attrs.oif === undefined ? undefined : names.get(message.attrs.oif),
          metric: message.attrs.priority,
          table,
          protocol: protocolNumber(message.data.protocol),
          family,
        };
      });
  }
}

function protocolNumber(protocol: RouteMessage['data']['protocol']): number {
  if (typeof protocol === 'number') return protocol;
  return protocol === undefined ? 0 : rt.RouteProtocol[protocol];
}
