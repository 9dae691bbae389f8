import type { CreateSandboxInput, EndpointInput, SandboxView } from '../../controller/index.js';
import type { SandboxRunner } from '../sandbox-runner.js';
import type { PortMapping } from '../../driver-api/index.js';
import { asObject, objectList, optionalString, stringList, stringMap } from './fields.js';

/** `POST /berth/sandboxes` body → sandbox input, command and requested ports. */
export function parseSandboxCreate(body: unknown): { input: CreateSandboxInput; command: string[] } {
  const request = asObject(body, 'body');
  const networks: EndpointInput[] = objectList(request, 'Networks').map((entry, index) => {
    const path = `Networks[${index}]`;
    const ipv4Address = optionalString(entry, 'IPv4Address', `${path}.IPv4Address`);
    const ipv6Address = optionalString(entry, 'IPv6Address', `${path}.IPv6Address`);
    const macAddress = optionalString(entry, 'MacAddress', `${path}.MacAddress`);
    return {
      network: optionalString(entry, 'Network', `${path}.Network`) ?? '',
      aliases: stringList(entry, 'Aliases', `${path}.Aliases`),
      ...(ipv4Address === undefined ? {} : { ipv4Address }),
      ...(ipv6Address === undefined ? {} : { ipv6Address }),
      ...(macAddress === undefined ? {} : { macAddress }),
    };
  });
  const name = optionalString(request, 'Name');
  const hostname = optionalString(request, 'Hostname');
  return {
    input: {
      ...(name === undefined ? {} : { name }),
      ...(hostname === undefined ? {} : { hostname }),
      networks,
      dns: { servers: stringList(request, 'Dns'), search: stringList(request, 'DnsSearch'), options: stringList(request, 'DnsOptions') },
      extraHosts: stringList(request, 'ExtraHosts'),
      labels: stringMap(request, 'Labels'),
      ports: stringList(request, 'Ports'),
    },
    command: stringList(request, 'Cmd'),
  };
}

function prefixLength(cidr: string | undefined): number {
  return Number(cidr?.split('/')[1] ?? 0);
}

function plain(cidr: string | undefined): string {
  return cidr?.split('/')[0] ?? '';
}

/** EndpointSettings per network name, as container inspect and list show them. */
function networkSettings(view: SandboxView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { endpoint, network } of view.endpoints) {
    out[network.name] = {
      IPAMConfig: endpoint.staticAddress === undefined && endpoint.staticAddressIpv6 === undefined ? null : { IPv4Address: endpoint.staticAddress ?? '', IPv6Address: endpoint.staticAddressIpv6 ?? '' },
      Links: null,
      Aliases: endpoint.aliases,
      MacAddress: endpoint.macAddress ?? '',
      NetworkID: network.id,
      EndpointID: endpoint.id,
      Gateway: network.internal ? '' : (network.ipam.ipv4[0]?.allocated.gateway ?? ''),
      IPAddress: plain(endpoint.address),
      IPPrefixLen: prefixLength(endpoint.address),
      IPv6Gateway: network.ipam.ipv6[0]?.allocated.gateway ?? '',
      GlobalIPv6Address: plain(endpoint.addressIpv6),
      GlobalIPv6PrefixLen: prefixLength(endpoint.addressIpv6),
      DNSNames: [view.sandbox.name, ...endpoint.aliases, view.sandbox.id.slice(0, 12)],
      DriverOpts: null,
    };
  }
  return out;
}

function state(view: SandboxView, runner: SandboxRunner | undefined): { status: string; pid: number; exitCode: number } {
  const status = runner?.status(view.sandbox.id) ?? { status: 'created' as const };
  return { status: status.status, pid: status.pid ?? 0, exitCode: status.exitCode ?? 0 };
}

/** One entry of `GET /containers/json`. */
export function containerSummary(view: SandboxView, runner: SandboxRunner | undefined): Record<string, unknown> {
  const current = state(view, runner);
  const command = runner?.command(view.sandbox.id) ?? [];
  return {
    Id: view.sandbox.id,
    Names: [`/${view.sandbox.name}`],
    Image: 'berth-sandbox',
    Command: command.join(' '),
    Created: Math.floor(Date.parse(view.sandbox.created) / 1000),
    State: current.status,
    Status: current.status === 'exited' ? `Exited (${current.exitCode})` : current.status === 'running' ? 'Up' : 'Created',
    Labels: view.sandbox.labels,
    Ports: publishedPorts(view).map((port) => ({ IP: port.hostIp, PrivatePort: port.containerPort, PublicPort: port.hostPort, Type: port.protocol })),
    HostConfig: { NetworkMode: view.endpoints[0]?.network.name ?? 'none' },
    NetworkSettings: { Networks: networkSettings(view) },
  };
}

/** `GET /containers/{id}/json`. */
export function containerInspect(view: SandboxView, runner: SandboxRunner | undefined): Record<string, unknown> {
  const current = state(view, runner);
  return {
    Id: view.sandbox.id,
    Name: `/${view.sandbox.name}`,
    Created: view.sandbox.created,
    State: { Status: current.status, Running: current.status === 'running', Pid: current.pid, ExitCode: current.exitCode },
    Config: { Hostname: view.sandbox.hostname, Labels: view.sandbox.labels, Cmd: runner?.command(view.sandbox.id) ?? [] },
    HostConfig: { NetworkMode: view.endpoints[0]?.network.name ?? 'none', Dns: view.sandbox.dns.servers, DnsSearch: view.sandbox.dns.search, DnsOptions: view.sandbox.dns.options, ExtraHosts: view.sandbox.extraHosts },
    NetworkSettings: { SandboxID: view.sandbox.id, SandboxKey: view.sandbox.netnsPath, Ports: portMap(view), Networks: networkSettings(view) },
  };
}

function publishedPorts(view: SandboxView): readonly PortMapping[] {
  return view.endpoints.flatMap(({ endpoint }) => endpoint.ports ?? []);
}

/** Docker's NetworkSettings.Ports: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}. */
function portMap(view: SandboxView): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of publishedPorts(view)) (out[`${port.containerPort}/${port.protocol}`] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  return out;
}
