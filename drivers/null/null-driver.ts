import { BerthError } from '../../src/errors/index.js';
import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest,
} from '../../src/driver-api/index.js';

/** Refuses driver options: drivers without options take none (Docker's null/host). */
export function rejectOptions(driver: string, options: Readonly<Record<string, string>>): void {
  const keys = Object.keys(options);
  if (keys.length > 0) {
    throw new BerthError('INVALID_OPTION', `driver ${driver} takes no options; got ${keys.map((key) => JSON.stringify(key)).join(', ')}`, { object: keys[0] });
  }
}

/**
 * `null` (the `none` network): the sandbox keeps only its loopback. Endpoints exist for
 * bookkeeping; nothing is created in the kernel.
 */
export class NullDriver implements NetworkDriver {
  readonly name: string = 'null';
  readonly capabilities = { dataScope: 'local', connectivityScope: 'local' } as const;

  planNetwork(request: NetworkRequest, _ipam: NetworkIpam): NetworkPlan {
    rejectOptions(this.name, request.options);
    return { driver: this.name, networkId: request.id, state: {} };
  }

  createNetwork(_plan: NetworkPlan, _ipam: NetworkIpam): Promise<DriverState> {
    return Promise.resolve({});
  }

  removeNetwork(_network: DriverNetwork): Promise<void> {
    return Promise.resolve();
  }

  createEndpoint(_network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    return Promise.resolve({ id: endpoint.id, state: {} });
  }

  removeEndpoint(_network: DriverNetwork, _endpoint: DriverEndpoint): Promise<void> {
    return Promise.resolve();
  }

  join(_network: DriverNetwork, _endpoint: DriverEndpoint): Promise<JoinResult> {
    return Promise.resolve({ staticRoutes: [], disableGatewayService: true });
  }

  leave(_network: DriverNetwork, _endpoint: DriverEndpoint): Promise<void> {
    return Promise.resolve();
  }
}
