import type { CreateNetworkInput, IpamConfigInput, NetworkView } from '../../controller/index.js';
import type { IpamConfigRecord } from '../../store/index.js';
import { asObject, objectList, optionalBoolean, optionalString, stringMap } from './fields.js';

/** Docker's NetworkCreateRequest → the controller's input (unknown fields are ignored, as Docker does). */
export function parseNetworkCreate(body: unknown): CreateNetworkInput {
  const request = asObject(body, 'body');
  const name = optionalString(request, 'Name');
  const ipam = asObject(request['IPAM'], 'IPAM');
  const configs: IpamConfigInput[] = objectList(ipam, 'Config', 'IPAM.Config').map((config, index) => {
    const path = `IPAM.Config[${index}]`;
    const subnet = optionalString(config, 'Subnet', `${path}.Subnet`);
    const ipRange = optionalString(config, 'IPRange', `${path}.IPRange`);
    const gateway = optionalString(config, 'Gateway', `${path}.Gateway`);
    return {
      ...(subnet === undefined ? {} : { subnet }),
      ...(ipRange === undefined ? {} : { ipRange }),
      ...(gateway === undefined ? {} : { gateway }),
      auxAddresses: stringMap(config, 'AuxiliaryAddresses', `${path}.AuxiliaryAddresses`),
    };
  });
  const driver = optionalString(request, 'Driver');
  const ipamDriver = optionalString(ipam, 'Driver', 'IPAM.Driver');
  const internal = optionalBoolean(request, 'Internal');
  const attachable = optionalBoolean(request, 'Attachable');
  const enableIpv4 = optionalBoolean(request, 'EnableIPv4');
  const enableIpv6 = optionalBoolean(request, 'EnableIPv6');
  optionalBoolean(request, 'CheckDuplicate');
  optionalBoolean(request, 'Ingress');
  return {
    name: name ?? '',
    ...(driver === undefined ? {} : { driver }),
    ...(internal === undefined ? {} : { internal }),
    ...(attachable === undefined ? {} : { attachable }),
    ...(enableIpv4 === undefined ? {} : { enableIpv4 }),
    ...(enableIpv6 === undefined ? {} : { enableIpv6 }),
    options: stringMap(request, 'Options'),
    labels: stringMap(request, 'Labels'),
    ipam: { ...(ipamDriver === undefined ? {} : { driver: ipamDriver }), options: stringMap(ipam, 'Options', 'IPAM.Options'), config: configs },
  };
}

function ipamConfig(config: IpamConfigRecord): Record<string, unknown> {
  const requested = config.requested;
  return {
    Subnet: requested.subnet ?? config.allocated.pool,
    ...(requested.ipRange === undefined ? {} : { IPRange: requested.ipRange }),
    ...(config.allocated.gateway === undefined ? {} : { Gateway: requested.gateway ?? config.allocated.gateway }),
    ...(Object.keys(requested.auxAddresses).length === 0 ? {} : { AuxiliaryAddresses: requested.auxAddresses }),
  };
}

/** NetworkSummary (list) or NetworkInspect (with Containers) in Docker's shape. */
export function networkJson(view: NetworkView, options: { readonly containers: boolean }): Record<string, unknown> {
  const { network } = view;
  const special = network.driver === 'host' || network.driver === 'null';
  const base: Record<string, unknown> = {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: network.scope,
    Driver: network.driver,
    EnableIPv4: network.enableIpv4,
    EnableIPv6: network.enableIpv6,
    IPAM: {
      Driver: network.ipam.driver,
      Options: special ? null : network.ipam.options,
      Config: [...network.ipam.ipv4, ...network.ipam.ipv6].map(ipamConfig),
    },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Options: network.options,
    Labels: network.labels,
  };
  // berth-specific: kernel objects of this network removed behind berth's back, and what berth did.
  if (view.kernelDrift !== undefined) {
    base['Berth'] = {
      Status: view.kernelDrift.every((finding) => finding.repaired) ? 'repaired' : 'degraded',
      Warnings: view.kernelDrift.map((finding) => ({ Time: finding.time, Problem: finding.problem, Action: finding.action, Repaired: finding.repaired })),
    };
  }
  if (!options.containers) return base;
  const containers: Record<string, unknown> = {};
  for (const { endpoint, sandbox } of view.endpoints) {
    containers[sandbox?.id ?? `ep-${endpoint.id}`] = {
      Name: sandbox?.name ?? endpoint.name,
      EndpointID: endpoint.id,
      MacAddress: endpoint.macAddress ?? '',
      IPv4Address: endpoint.address ?? '',
      IPv6Address: endpoint.addressIpv6 ?? '',
    };
  }
  return { ...base, Containers: containers };
}
