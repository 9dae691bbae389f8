import { Address4, Address6 } from 'ip-address';
import { BerthError } from '../errors/index.js';

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** One requested publication: `[ip:][hostPort[-end]:]containerPort[-end][/proto]`. */
export interface PortBinding {
  /** Host address; undefined = every address of the host (0.0.0.0). */
  readonly hostIp?: string;
  /** 0 = an ephemeral port from the host's ip_local_port_range. */
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

/** A publication as programmed: the host port is always concrete. */
export interface PortMapping {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

function invalid(spec: string, reason: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', `invalid port publication ${JSON.stringify(spec)}: ${reason}`, { object: spec });
}

function range(text: string, spec: string): [number, number] {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (match?.[1] === undefined) throw invalid(spec, `${JSON.stringify(text)} is not a port or port range`);
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end > 65535 || end < start) throw invalid(spec, `ports must be 1-65535 and ranges ascending (${text})`);
  return [start, end];
}

/** Splits "ip:host:container" (IPv6 in brackets) into its parts. */
function parts(body: string, spec: string): { ip: string | undefined; host: string | undefined; container: string } {
  let rest = body;
  let ip: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close === -1) throw invalid(spec, 'an IPv6 address must be followed by ]:');
    ip = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const fields = rest.split(':');
  if (ip === undefined && fields.length === 3) ip = fields.shift();
  if (fields.length > 2 || fields.some((field, index) => field === '' && !(index === 0 && fields.length === 2 && ip !== undefined))) {
    throw invalid(spec, 'expected [ip:][hostPort:]containerPort[/proto]');
  }
  const container = fields.pop() ?? '';
  const host = fields[0] === '' ? undefined : fields[0];
  return { ip, host, container };
}

/** Parses one `-p` value into bindings (ranges expand to one binding per port). */
export function parsePortSpec(spec: string): PortBinding[] {
  const [body = '', protocolText = 'tcp', extra] = spec.split('/');
  if (extra !== undefined || !['tcp', 'udp', 'sctp'].includes(protocolText)) throw invalid(spec, 'protocol must be tcp, udp or sctp');
  const protocol = protocolText as PortProtocol;
  const { ip, host, container } = parts(body, spec);
  if (ip !== undefined && !((Address4.isValid(ip) || Address6.isValid(ip)) && !ip.includes('/'))) throw invalid(spec, `${JSON.stringify(ip)} is not an IP address`);
  const [containerStart, containerEnd] = range(container, spec);
  const [hostStart, hostEnd] = host === undefined ? [0, 0] : range(host, spec);
  const count = containerEnd - containerStart + 1;
  if (host !== undefined && hostEnd - hostStart + 1 !== count) throw invalid(spec, 'host and container port ranges must have the same length');
  return Array.from({ length: count }, (_, index) => ({
    ...(ip === undefined || ip === '0.0.0.0' ? {} : { hostIp: ip }),
    hostPort: host === undefined ? 0 : hostStart + index,
    containerPort: containerStart + index,
    protocol,
  }));
}
