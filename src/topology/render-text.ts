import { describeDevice } from './network-device.js';
import type { Topology, TopologyEndpoint, TopologyNetwork, TopologyPort, TopologySandbox } from './topology.js';

/** SGR colours for the terminal; the plain palette is used off a TTY or with NO_COLOR. */
interface Palette {
  readonly network: (text: string) => string;
  readonly device: (text: string) => string;
  readonly sandbox: (text: string) => string;
  readonly address: (text: string) => string;
  readonly dim: (text: string) => string;
}

const sgr = (code: string) => (text: string): string => `\u001b[${code}m${text}\u001b[0m`;
const COLOURS: Palette = { network: sgr('1;36'), device: sgr('33'), sandbox: sgr('1'), address: sgr('32'), dim: sgr('2') };
const plain = (text: string): string => text;
const PLAIN: Palette = { network: plain, device: plain, sandbox: plain, address: plain, dim: plain };

/** `0.0.0.0:8080 -> 80/tcp` (IPv6 host addresses in brackets, as `docker port` prints them). */
export function portText(port: TopologyPort): string {
  const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
  return `${host}:${port.hostPort} -> ${port.containerPort}/${port.protocol}`;
}

/** `eth0 10.90.0.2 fd00::2 02:42:0a:5a:00:02` (the parts that are known). */
export function endpointText(endpoint: TopologyEndpoint): string {
  return [endpoint.interfaceName, endpoint.ipv4, endpoint.ipv6, endpoint.mac].filter((part) => part !== undefined).join(' ');
}

/** `10.90.0.0/24 gw 10.90.0.1, fd00::/64`. */
export function subnetsText(network: TopologyNetwork): string {
  return network.subnets.map((pool) => (pool.gateway === undefined ? pool.subnet : `${pool.subnet} gw ${pool.gateway}`)).join(', ');
}

function networkLine(network: TopologyNetwork, palette: Palette): string {
  const facts = [network.driver, subnetsText(network), network.internal ? 'internal' : '', network.scope === 'local' ? '' : `${network.scope} scope`].filter((part) => part !== '');
  return `${palette.network(network.name)} ${palette.dim(`(${facts.join(', ')})`)} ${palette.device(describeDevice(network.device))}`;
}

function endpointLines(options: { network: TopologyNetwork; sandboxes: readonly TopologySandbox[]; palette: Palette }): string[] {
  const { network, palette } = options;
  const rows = options.sandboxes.flatMap((sandbox) => sandbox.endpoints.filter((endpoint) => endpoint.networkId === network.id).map((endpoint) => ({ sandbox, endpoint })));
  if (rows.length === 0) return [`  └─ ${palette.dim('no sandboxes')}`];
  const width = Math.max(...rows.map((row) => row.sandbox.name.length));
  return rows.map(({ sandbox, endpoint }, index) => {
    const branch = index === rows.length - 1 ? '└─' : '├─';
    // Ports are published on the sandbox's first network (its eth0).
    const ports = endpoint === sandbox.endpoints[0] && sandbox.ports.length > 0 ? `  ${palette.device(`ports ${sandbox.ports.map(portText).join(', ')}`)}` : '';
    const [name = '', ...addresses] = endpointText(endpoint).split(' ');
    return `  ${branch} ${palette.sandbox(sandbox.name.padEnd(width))}  ${name} ${palette.address(addresses.join(' '))}`.trimEnd() + ports;
  });
}

/**
 * An indented tree: each network with its device, then the sandboxes on it with interface, IP
 * and MAC, and the ports published for them; sandboxes on no network last.
 */
export function renderText(topology: Topology, options: { readonly colour: boolean }): string {
  const palette = options.colour ? COLOURS : PLAIN;
  const lines: string[] = [];
  for (const network of topology.networks) lines.push(networkLine(network, palette), ...endpointLines({ network, sandboxes: topology.sandboxes, palette }));
  const detached = topology.sandboxes.filter((sandbox) => sandbox.endpoints.length === 0);
  if (detached.length > 0) lines.push(palette.dim('(no network)'), ...detached.map((sandbox, index) => `  ${index === detached.length - 1 ? '└─' : '├─'} ${palette.sandbox(sandbox.name)}`));
  return lines.length === 0 ? 'no networks\n' : `${lines.join('\n')}\n`;
}
