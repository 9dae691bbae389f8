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

function field<T>(record: Json, name: string, check: (value: unknown) => value is T, what: string): T {
  const value = record[name];
  if (!check(value)) throw new Error(`field ${name} is missing or not ${what}`);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);

export function parseNetworkRecord(value: unknown): NetworkRecord {
  const record = object(value, 'network');
  for (const name of ['id', 'name', 'driver', 'scope', 'created']) field(record, name, isString, 'a string');
  for (const name of ['internal', 'attachable', 'enableIpv4', 'enableIpv6', 'predefined']) field(record, name, isBoolean, 'a boolean');
  for (const name of ['options', 'labels', 'driverState']) field(record, name, isObject, 'an object');
  const ipam = field(record, 'ipam', isObject, 'an object');
  field(ipam, 'driver', isString, 'a string');
  for (const family of ['ipv4', 'ipv6']) {
    for (const config of field(ipam, family, isArray, 'a list')) {
      const entry = object(config, `ipam.${family} entry`);
      field(entry, 'poolId', isString, 'a string');
      field(object(entry['allocated'], 'allocated'), 'pool', isString, 'a string');
    }
  }
  return record as unknown as NetworkRecord;
}

export function parseEndpointRecord(value: unknown): EndpointRecord {
  const record = object(value, 'endpoint');
  for (const name of ['id', 'networkId', 'sandboxId', 'name', 'interfaceName', 'created']) field(record, name, isString, 'a string');
  field(record, 'aliases', isArray, 'a list');
  field(record, 'driverState', isObject, 'an object');
  return record as unknown as EndpointRecord;
}

export function parseSandboxRecord(value: unknown): SandboxRecord {
  const record = object(value, 'sandbox');
  for (const name of ['id', 'name', 'created', 'netnsPath', 'hostname']) field(record, name, isString, 'a string');
  field(record, 'dns', isObject, 'an object');
  field(record, 'extraHosts', isArray, 'a list');
  field(record, 'labels', isObject, 'an object');
  return record as unknown as SandboxRecord;
}
