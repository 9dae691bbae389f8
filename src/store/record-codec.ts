import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

/**
 * Stored records come back as unknown JSON; these check every field of the record type before
 * the value is trusted as a record, so a hand-edited or truncated row fails loudly, naming the
 * field, instead of surfacing later as `undefined` deep in the controller. Unknown extra fields
 * are kept (a newer berth may have added them; see docs/store.md, "Evolution").
 */
type Json = Record<string, unknown>;

interface Check {
  readonly test: (value: unknown) => boolean;
  readonly what: string;
}

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STRING: Check = { test: (value) => typeof value === 'string', what: 'a string' };
const BOOLEAN: Check = { test: (value) => typeof value === 'boolean', what: 'a boolean' };
const PORT: Check = { test: (value) => Number.isInteger(value) && Number(value) >= 0 && Number(value) <= 65535, what: 'a port number' };
const OBJECT: Check = { test: isJsonObject, what: 'an object' };
const STRING_LIST: Check = { test: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'), what: 'a list of strings' };
const STRING_MAP: Check = {
  test: (value) => isJsonObject(value) && Object.values(value).every((item) => typeof item === 'string'),
  what: 'an object of strings',
};

function oneOf(...values: readonly string[]): Check {
  return { test: (value) => typeof value === 'string' && values.includes(value), what: `one of ${values.join(', ')}` };
}

/** `path` names the field in the error, e.g. "ipam.ipv4[0].allocated.pool". */
function expectValue(value: unknown, path: string, check: Check): void {
  if (!check.test(value)) throw new Error(`field ${path} is ${value === undefined ? 'missing' : 'not ' + check.what}`);
}

/** Checks each named field of `record` (prefix "" or "ipam."). Optional fields may be absent. */
function expectFields(record: Json, prefix: string, fields: Readonly<Record<string, Check | { readonly optional: Check }>>): void {
  for (const [name, rule] of Object.entries(fields)) {
    const value = record[name];
    if ('optional' in rule) {
      if (value !== undefined) expectValue(value, prefix + name, rule.optional);
    } else {
      expectValue(value, prefix + name, rule);
    }
  }
}

function asObject(value: unknown, path: string): Json {
  if (!isJsonObject(value)) throw new Error(`${path} is ${value === undefined ? 'missing' : 'not an object'}`);
  return value;
}

function asList(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`field ${path} is ${value === undefined ? 'missing' : 'not a list'}`);
  return value;
}

function checkIpamConfig(value: unknown, path: string): void {
  const config = asObject(value, path);
  expectFields(config, `${path}.`, { poolId: STRING });
  const requested = asObject(config['requested'], `${path}.requested`);
  expectFields(requested, `${path}.requested.`, { subnet: { optional: STRING }, ipRange: { optional: STRING }, gateway: { optional: STRING }, auxAddresses: STRING_MAP });
  const allocated = asObject(config['allocated'], `${path}.allocated`);
  expectFields(allocated, `${path}.allocated.`, { pool: STRING, gateway: { optional: STRING }, auxAddresses: STRING_MAP });
}

export function parseNetworkRecord(value: unknown): NetworkRecord {
  const record = asObject(value, 'network');
  expectFields(record, '', {
    id: STRING, name: STRING, driver: STRING, scope: oneOf('local', 'global'), created: STRING,
    internal: BOOLEAN, attachable: BOOLEAN, enableIpv4: BOOLEAN, enableIpv6: BOOLEAN, predefined: BOOLEAN,
    options: STRING_MAP, labels: STRING_MAP, driverState: OBJECT,
  });
  const ipam = asObject(record['ipam'], 'field ipam');
  expectFields(ipam, 'ipam.', { driver: STRING, options: STRING_MAP });
  for (const family of ['ipv4', 'ipv6']) {
    asList(ipam[family], `ipam.${family}`).forEach((config, index) => checkIpamConfig(config, `ipam.${family}[${index}]`));
  }
  return record as unknown as NetworkRecord;
}

function checkPort(value: unknown, path: string): void {
  const port = asObject(value, path);
  expectFields(port, `${path}.`, { hostIp: STRING, hostPort: PORT, containerIp: STRING, containerPort: PORT, protocol: oneOf('tcp', 'udp', 'sctp') });
}

export function parseEndpointRecord(value: unknown): EndpointRecord {
  const record = asObject(value, 'endpoint');
  expectFields(record, '', {
    id: STRING, networkId: STRING, sandboxId: STRING, name: STRING, interfaceName: STRING, created: STRING,
    aliases: STRING_LIST, driverState: OBJECT,
    address: { optional: STRING }, addressIpv6: { optional: STRING }, macAddress: { optional: STRING },
    poolId: { optional: STRING }, poolIdIpv6: { optional: STRING },
    staticAddress: { optional: STRING }, staticAddressIpv6: { optional: STRING },
  });
  if (record['ports'] !== undefined) asList(record['ports'], 'ports').forEach((port, index) => checkPort(port, `ports[${index}]`));
  return record as unknown as EndpointRecord;
}

export function parseSandboxRecord(value: unknown): SandboxRecord {
  const record = asObject(value, 'sandbox');
  expectFields(record, '', { id: STRING, name: STRING, created: STRING, netnsPath: STRING, hostname: STRING, extraHosts: STRING_LIST, labels: STRING_MAP });
  expectFields(asObject(record['dns'], 'field dns'), 'dns.', { servers: STRING_LIST, search: STRING_LIST, options: STRING_LIST });
  if (record['process'] !== undefined) {
    const process = asObject(record['process'], 'field process');
    expectFields(process, 'process.', { pid: { test: (pid) => Number.isInteger(pid) && Number(pid) > 0, what: 'a pid' }, startTime: STRING, command: STRING_LIST });
  }
  return record as unknown as SandboxRecord;
}
