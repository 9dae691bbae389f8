import { Command, Option } from 'commander';
import { BerthError } from '../errors/index.js';
import { applyConfigFile } from './config-file.js';
import { parseMetricsAddress } from '../metrics/index.js';
import type { MetricsAddress } from '../metrics/index.js';
import type { TlsFiles } from './tls.js';

/** berthd's settings after parsing flags. */
export interface DaemonOptions {
  readonly root: string;
  readonly runRoot: string;
  readonly socket: string;
  readonly hosts: readonly string[];
  /** --tlscacert, --tlscert, --tlskey: required with `hosts` (the TCP API always verifies client certificates). */
  readonly tls?: TlsFiles;
  readonly firewall: 'nftables' | 'iptables' | 'none';
  readonly defaultAddressPools: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly dnsUpstream: readonly string[];
  /** `--docker-plugin PATH`: also serve the Docker network/IPAM plugin protocol on this socket. */
  readonly dockerPlugin?: string;
  /** `--bip`: gateway/prefix of the predefined bridge network when it is created. */
  readonly bip?: string;
  /** The host's resolv.conf: upstream servers of the embedded DNS, copied for the default bridge. */
  readonly hostResolvConf: string;
  /** TTL of embedded DNS answers, seconds. */
  readonly dnsTtl: number;
  /** Budget for one forwarded query over all upstreams, milliseconds. */
  readonly dnsTimeoutMs: number;
  /** --cluster-store etcd://HOST:PORT[,HOST:PORT]: global networks live there (docs/overlay.md). */
  readonly cluster?: ClusterStoreOptions;
  /** `--metrics-addr`: serve Prometheus metrics there (off unless set; loopback or unix only without --metrics-allow-remote). */
  readonly metrics?: MetricsAddress;
  /** `--group`: the API socket's group (members may use berth); `explicit` when asked for, so a missing group is an error. */
  readonly socketGroup: { readonly group: string; readonly explicit: boolean };
}

/** Where global networks are kept and how this host appears in the cluster. */
export interface ClusterStoreOptions {
  /** etcd client URLs, "http://HOST:PORT". */
  readonly endpoints: readonly string[];
  /** This host's VTEP address (--advertise-addr). */
  readonly advertiseAddress: string;
  /** Seconds until a silent host's peers are dropped everywhere. */
  readonly leaseTtl: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Where berthd looks for its config file unless --config-file names another. */
export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

/** The berthd command line; `--help` text lives here. */
export function daemonCommand(version: string): Command {
  return new Command('berthd')
    .description('berth daemon: container networks (CNM) behind a Docker-Engine-compatible API on a unix socket')
    .version(version)
    .option('--config-file <path>', 'daemon.json with the same keys as these flags (flags win); a missing default file is fine', DEFAULT_CONFIG_FILE)
    .option('--root <dir>', 'persistent state (the store)', '/var/lib/berth')
    .option('--run-root <dir>', 'ephemeral state: sockets, namespace mounts, sandbox files', '/run/berth')
    .option('--socket <path>', 'API socket (mode 0660); default <run-root>/berth.sock')
    .option('-G, --group <name>', 'group of the API socket, whose members may use berthd (skipped when the default group does not exist)', 'berth')
    .option('-H, --host <url>', 'also listen on tcp://IP:PORT with TLS client certificates (never by default; needs --tlscacert, --tlscert, --tlskey)', collect, [])
    .option('--tlscacert <path>', 'CA (PEM) that signed the client certificates accepted on -H tcp://')
    .option('--tlscert <path>', 'server certificate (PEM) for -H tcp://')
    .option('--tlskey <path>', 'server private key (PEM) for -H tcp://')
    .option('--tlsverify', 'accepted for Docker compatibility; client certificates are always verified on -H tcp://')
    .addOption(new Option('--firewall <backend>', 'firewall backend').choices(['nftables', 'iptables', 'none']).default('nftables'))
    .option('--default-address-pool <base=CIDR,size=N>', 'replace the default IPv4 pools (repeatable)', collect, [])
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--docker-plugin <socket>', 'also be a Docker network and IPAM plugin on this socket (dockerd finds /run/docker/plugins/berth.sock as driver "berth")')
    .option('--bip <ip/prefix>', 'address and prefix of the predefined bridge (berth0) when it is created, e.g. 172.17.0.1/16')
    .option('--dns-upstream <ip>', 'upstream DNS servers of the embedded DNS (repeatable); default: the host resolv.conf', collect, [])
    .option('--host-resolv-conf <path>', "the host's resolv.conf (upstream servers, search domains)", '/etc/resolv.conf')
    .option('--dns-ttl <seconds>', 'TTL of embedded DNS answers', '600')
    .option('--dns-timeout <ms>', 'time for a forwarded query over all upstreams before SERVFAIL', '4000')
    .option('--metrics-addr <address>', 'serve Prometheus metrics at GET /metrics on unix:///path or 127.0.0.1:PORT (off by default; docs/metrics.md)')
    .option('--metrics-allow-remote', 'allow --metrics-addr on a non-loopback TCP address (the metrics have no authentication)')
    .option('--cluster-store <url>', 'etcd://HOST:PORT[,HOST:PORT...]: keep global (overlay) networks in this etcd cluster')
    .option('--advertise-addr <ip>', 'this host\'s address for VXLAN (VTEP) traffic; required with --cluster-store')
    .option('--cluster-lease-ttl <seconds>', 'how long a silent host keeps its peers in the cluster', '15')
    .addHelpText('after', `
Examples:
  berthd                                   # /var/lib/berth, /run/berth/berth.sock, nftables
  berthd --root /tmp/b/lib --run-root /tmp/b/run --firewall iptables
  berthd --cluster-store etcd://10.0.0.5:2379 --advertise-addr 10.0.0.11
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

/** --cluster-store, --advertise-addr and --cluster-lease-ttl, checked together. */
function clusterOptions(raw: Record<string, unknown>): ClusterStoreOptions | undefined {
  const url = raw['clusterStore'];
  const advertise = raw['advertiseAddr'];
  if (url === undefined) {
    if (advertise !== undefined) throw new BerthError('INVALID_ARGUMENT', '--advertise-addr needs --cluster-store', { object: 'advertise-addr' });
    return undefined;
  }
  const match = typeof url === 'string' ? /^etcd:\/\/([^/]+)$/.exec(url) : null;
  const hosts = match?.[1]?.split(',') ?? [];
  if (hosts.length === 0 || !hosts.every((host) => /^[^:,\s]+:\d+$/.test(host))) {
    throw new BerthError('INVALID_ARGUMENT', `--cluster-store ${typeof url === 'string' ? url : ''}: expected etcd://HOST:PORT[,HOST:PORT...]`, { object: 'cluster-store' });
  }
  if (typeof advertise !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(advertise)) {
    throw new BerthError('INVALID_ARGUMENT', '--cluster-store needs --advertise-addr IPv4 (this host\'s VTEP address)', { object: 'advertise-addr' });
  }
  const ttl = integer({ flag: 'cluster-lease-ttl', value: typeof raw['clusterLeaseTtl'] === 'string' ? raw['clusterLeaseTtl'] : '15', max: 3600, min: 2 });
  return { endpoints: hosts.map((host) => `http://${host}`), advertiseAddress: advertise, leaseTtl: ttl };
}

/** -H tcp:// needs all three TLS files; berthd has no plain-TCP or server-only-TLS mode. */
function tlsOptions(raw: Record<string, unknown>, hosts: readonly string[]): { tls?: TlsFiles } {
  const flags = { ca: 'tlscacert', cert: 'tlscert', key: 'tlskey' } as const;
  const value = (key: keyof typeof flags): string | undefined => (typeof raw[flags[key]] === 'string' ? raw[flags[key]] as string : undefined);
  const files = { ca: value('ca'), cert: value('cert'), key: value('key') };
  if (hosts.length === 0) return {};
  const missing = (Object.keys(flags) as (keyof typeof flags)[]).filter((key) => files[key] === undefined).map((key) => `--${flags[key]}`);
  if (files.ca === undefined || files.cert === undefined || files.key === undefined) {
    throw new BerthError('INVALID_ARGUMENT', `-H ${hosts.join(' -H ')}: the TCP API requires TLS with client certificates; give --tlscacert, --tlscert and --tlskey (missing: ${missing.join(', ')})`, { object: 'host' });
  }
  return { tls: { ca: files.ca, cert: files.cert, key: files.key } };
}

function withCluster(cluster: ClusterStoreOptions | undefined): { cluster?: ClusterStoreOptions } {
  return cluster === undefined ? {} : { cluster };
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
    ...tlsOptions(raw, list('host')),
    firewall: text('firewall') as DaemonOptions['firewall'],
    defaultAddressPools: list('defaultAddressPool'),
    logLevel: text('logLevel') as DaemonOptions['logLevel'],
    dnsUpstream: list('dnsUpstream'),
    ...(typeof raw['bip'] === 'string' ? { bip: raw['bip'] } : {}),
    ...(typeof raw['dockerPlugin'] === 'string' ? { dockerPlugin: raw['dockerPlugin'] } : {}),
    hostResolvConf: text('hostResolvConf'),
    dnsTtl: integer({ flag: 'dns-ttl', value: text('dnsTtl'), max: 2_147_483_647 }),
    dnsTimeoutMs: integer({ flag: 'dns-timeout', value: text('dnsTimeout'), max: 60_000, min: 1 }),
    ...withCluster(clusterOptions(raw)),
    socketGroup: { group: typeof raw['group'] === 'string' ? raw['group'] : 'berth', explicit: false },
    ...(typeof raw['metricsAddr'] === 'string' ? { metrics: parseMetricsAddress(raw['metricsAddr'], { allowRemote: raw['metricsAllowRemote'] === true }) } : {}),
  };
}

/** Settings from a parsed command line merged with the config file (flags win); see config-file.ts. */
export function resolveDaemonOptions(command: Command): DaemonOptions {
  const path = command.getOptionValue('configFile') as string;
  applyConfigFile(command, { path, explicit: command.getOptionValueSource('configFile') === 'cli' });
  const options = toDaemonOptions(command.opts());
  return { ...options, socketGroup: { group: options.socketGroup.group, explicit: command.getOptionValueSource('group') !== 'default' } };
}
