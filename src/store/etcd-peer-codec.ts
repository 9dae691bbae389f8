import type { RemotePeer } from './etcd-cluster.js';

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new Error(`peer field ${key} is missing or not a string`);
  return value;
}

function optionalText(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`peer field ${key} is not a string`);
  return value;
}

/** Parses a peer record read from etcd (outside data: checked field by field). */
export function parseRemotePeer(value: unknown): RemotePeer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('peer is not an object');
  const record = value as Record<string, unknown>;
  const aliases = record['aliases'];
  if (!Array.isArray(aliases) || !aliases.every((alias) => typeof alias === 'string')) throw new Error('peer field aliases is not a list of strings');
  const mac = optionalText(record, 'mac');
  const ipv4 = optionalText(record, 'ipv4');
  const ipv6 = optionalText(record, 'ipv6');
  return {
    networkId: text(record, 'networkId'), endpointId: text(record, 'endpointId'), hostId: text(record, 'hostId'), vtep: text(record, 'vtep'),
    sandboxId: text(record, 'sandboxId'), sandboxName: text(record, 'sandboxName'), aliases,
    ...(mac === undefined ? {} : { mac }),
    ...(ipv4 === undefined ? {} : { ipv4 }),
    ...(ipv6 === undefined ? {} : { ipv6 }),
  };
}
