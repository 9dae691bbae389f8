import { Command, Option } from 'commander';
import { BerthError } from '../errors/index.js';

/** berthd's settings after parsing flags. */
export interface DaemonOptions {
  readonly root: string;
  readonly runRoot: string;
  readonly socket: string;
  readonly hosts: readonly string[];
  readonly firewall: 'nftables' | 'iptables' | 'none';
  readonly defaultAddressPools: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly dnsUpstream: readonly string[];
  /** `--bip`: gateway/prefix of the predefined bridge network when it is created. */
  readonly bip?: string;
  /** The host's resolv.conf: upstream servers of the embedded DNS, copied for the default bridge. */
  readonly hostResolvConf: string;
  /** TTL of embedded DNS answers, seconds. */
  readonly dnsTtl: number;
  /** Budget for one forwarded query over all upstreams, milliseconds. */
  readonly dnsTimeoutMs: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The berthd command line; `--help` text lives here. */
export function daemonCommand(version: string): Command {
  return new Command('berthd')
    .description('berth daemon: container networks (CNM) behind a Docker-Engine-compatible API on a unix socket')
    .version(version)
    .option('--root <dir>', 'persistent state (the store)', '/var/lib/berth')
    .option('--run-root <dir>', 'ephemeral state: sockets, namespace mounts, sandbox files', '/run/berth')
    .option('--socket <path>', 'API socket (mode 0660); default <run-root>/berth.sock')
    .option('-H, --host <url>', 'also listen on tcp://IP:PORT (never by default; no TLS, keep it on loopback)', collect, [])
    .addOption(new Option('--firewall <backend>', 'firewall backend').choices(['nftables', 'iptables', 'none']).default('nftables'))
    .option('--default-address-pool <base=CIDR,size=N>', 'replace the default IPv4 pools (repeatable)', collect, [])
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--bip <ip/prefix>', 'address and prefix of the predefined bridge (berth0) when it is created, e.g. 172.17.0.1/16')
    .option('--dns-upstream <ip>', 'upstream DNS servers of the embedded DNS (repeatable); default: the host resolv.conf', collect, [])
    .option('--host-resolv-conf <path>', "the host's resolv.conf (upstream servers, search domains)", '/etc/resolv.conf')
    .option('--dns-ttl <seconds>', 'TTL of embedded DNS answers', '600')
    .option('--dns-timeout <ms>', 'time for a forwarded query over all upstreams before SERVFAIL', '4000')
    .addHelpText('after', `
Examples:
  berthd                                   # /var/lib/berth, /run/berth/berth.sock, nftables
  berthd --root /tmp/b/lib --run-root /tmp/b/run --firewall iptables
  DOCKER_HOST=unix:///run/berth/berth.sock docker network ls`);
}

function integer(option: { readonly flag: string; readonly value: string; readonly max: number; readonly min?: number }): number {
  const number = Number(option.value);
  const min = option.min ?? 0;
  if (!/^\d+$/.test(option.value) || number < min || number > option.max) {
    throw new BerthError('INVALID_ARGUMENT', `--${option.flag} ${option.value}: must be an integer from ${min} to ${option.max}`, { object: option.flag });
  }
  return number;
}

/** Reads parsed commander options into typed settings. */
export function toDaemonOptions(raw: Record<string, unknown>): DaemonOptions {
  const text = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string') throw new BerthError('INVALID_ARGUMENT', `--${key} must be given`, { object: key });
    return value;
  };
  const list = (key: string): string[] => (Array.isArray(raw[key]) ? raw[key].map(String) : []);
  const runRoot = text('runRoot');
  for (const host of list('host')) {
    if (!/^tcp:\/\/[^/]+:\d+$/.test(host)) throw new BerthError('INVALID_ARGUMENT', `--host ${host}: expected tcp://IP:PORT`, { object: host });
  }
  return {
    root: text('root'),
    runRoot,
    socket: typeof raw['socket'] === 'string' ? raw['socket'] : `${runRoot}/berth.sock`,
    hosts: list('host'),
    firewall: text('firewall') as DaemonOptions['firewall'],
    defaultAddressPools: list('defaultAddressPool'),
    logLevel: text('logLevel') as DaemonOptions['logLevel'],
    dnsUpstream: list('dnsUpstream'),
    ...(typeof raw['bip'] === 'string' ? { bip: raw['bip'] } : {}),
    hostResolvConf: text('hostResolvConf'),
    dnsTtl: integer({ flag: 'dns-ttl', value: text('dnsTtl'), max: 2_147_483_647 }),
    dnsTimeoutMs: integer({ flag: 'dns-timeout', value: text('dnsTimeout'), max: 60_000, min: 1 }),
  };
}
