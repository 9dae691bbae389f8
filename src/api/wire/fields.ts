import { BerthError } from '../../errors/index.js';

/** Parsing of untrusted JSON bodies, one field at a time, with errors naming the field. */
export type JsonObject = Readonly<Record<string, unknown>>;

function bad(field: string, expected: string): BerthError {
  return new BerthError('BAD_REQUEST', `invalid JSON: field "${field}" must be ${expected}`, { object: field });
}

export function asObject(value: unknown, field: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(field, 'an object');
  return value as JsonObject;
}

export function optionalString(body: JsonObject, field: string, path = field): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw bad(path, 'a string');
  return value;
}

export function optionalBoolean(body: JsonObject, field: string, path = field): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw bad(path, 'a boolean');
  return value;
}

export function stringMap(body: JsonObject, field: string, path = field): Record<string, string> {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(path, 'an object of strings');
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'string') throw bad(`${path}.${key}`, 'a string');
    out[key] = entry;
  }
  return out;
}

export function stringList(body: JsonObject, field: string, path = field): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) throw bad(path, 'a list of strings');
  return value as string[];
}

export function objectList(body: JsonObject, field: string, path = field): JsonObject[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(path, 'a list');
  return value.map((entry, index) => asObject(entry, `${path}[${index}]`));
}
