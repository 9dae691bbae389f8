import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

/**
 * Stored records come back as unknown JSON; these check the fields berth relies on before the
 * value is trusted as a record (a hand-edited or truncated row fails loudly, naming the field).
 */
type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Json;
}

interface Check<T> {
  readonly test: (value: unknown) => value is T;
  readonly what: string;
}

function field<T>(record: Json, name: string, check: Check<T>): T {
  const value = record[name];
  if (!check.test(value)) throw new Error(`field ${name} is missing or not ${check.what}`);
  return value;
}

const isString: Check<string> = { test: (value: unknown): value is string => typeof value === 'string', what: 'a string' };
const isBoolean: Check<boolean> = { test: (value: unknown): value is boolean => typeof value === 'boolean', what: 'a boolean' };
const isObject: Check<Json> = { test: (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value), what: 'an object' };
const isArray: Check<unknown[]> = { test: (value: unknown): value is unknown[] => Array.isArray(value), what: 'a list' };

export function parseNetworkRecord(value: unknown): NetworkRecord {
  const record = object(value, 'network');
  for (const name of ['id', 'name', 'driver', 'scope', 'created']) field(record, name, isString);
  for (const name of ['internal', 'attachable', 'enableIpv4', 'enableIpv6', 'predefined']) field(record, name, isBoolean);
  for (const name of ['options', 'labels', 'driverState']) field(record, name, isObject);
  const ipam = field(record, 'ipam', isObject);
  field(ipam, 'driver', isString);
  for (const family of ['ipv4', 'ipv6']) {
    for (const config of field(ipam, family, isArray)) {
      const entry = object(config, `ipam.${family} entry`);
      field(entry, 'poolId', isString);
      field(object(entry['allocated'], 'allocated'), 'pool', isString);
    }
  }
  return record as unknown as NetworkRecord;
}

export function parseEndpointRecord(value: unknown): EndpointRecord {
  const record = object(value, 'endpoint');
  for (const name of ['id', 'networkId', 'sandboxId', 'name', 'interfaceName', 'created']) field(record, name, isString);
  field(record, 'aliases', isArray);
  field(record, 'driverState', isObject);
  return record as unknown as EndpointRecord;
}

export function parseSandboxRecord(value: unknown): SandboxRecord {
  const record = object(value, 'sandbox');
  for (const name of ['id', 'name', 'created', 'netnsPath', 'hostname']) field(record, name, isString);
  field(record, 'dns', isObject);
  field(record, 'extraHosts', isArray);
  field(record, 'labels', isObject);
  return record as unknown as SandboxRecord;
}
