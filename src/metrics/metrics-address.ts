import { isIP } from 'node:net';
import { BerthError } from '../errors/index.js';

/** Where the metrics endpoint listens. */
export type MetricsAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * Parses `--metrics-addr`: `unix:///path`, or `HOST:PORT` / `tcp://HOST:PORT` (IPv6 in
 * brackets). TCP on anything but loopback is refused unless `allowRemote` (the metrics name
 * networks and sandboxes and have no authentication).
 */
export function parseMetricsAddress(text: string, options: { readonly allowRemote?: boolean } = {}): MetricsAddress {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!path.startsWith('/')) throw new BerthError('INVALID_ARGUMENT', `--metrics-addr ${text}: expected unix:///absolute/path`, { object: 'metrics-addr' });
    return { kind: 'unix', path };
  }
  const match = /^(?:tcp:\/\/)?(?:\[([^\]]+)\]|([^:[\]/]+)):(\d+)$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535 || (host !== 'localhost' && isIP(host) === 0)) {
    throw new BerthError('INVALID_ARGUMENT', `--metrics-addr ${text}: expected unix:///path or IP:PORT (127.0.0.1:9323)`, { object: 'metrics-addr' });
  }
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new BerthError('INVALID_ARGUMENT', `--metrics-addr ${text}: not a loopback address; the metrics have no authentication — add --metrics-allow-remote to serve them on ${host}`, { object: 'metrics-addr' });
  }
  return { kind: 'tcp', host, port };
}
