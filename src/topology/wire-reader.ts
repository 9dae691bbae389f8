/** Reading berthd's JSON replies (unknown) field by field, with the path of a bad field in the error. */
export type WireObject = Readonly<Record<string, unknown>>;

/** Thrown when a reply does not have Docker's shape. */
export class WireShapeError extends Error {
  override readonly name = 'WireShapeError';
}

export function asObject(value: unknown, path: string): WireObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireShapeError(`unexpected reply from berthd: ${path} is not an object`);
  return value as WireObject;
}

export function asList(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new WireShapeError(`unexpected reply from berthd: ${path} is not a list`);
  return value;
}

/** A string field; absent or null is `fallback`. */
export function text(object: WireObject, key: string, fallback = ''): string {
  const value = object[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new WireShapeError(`unexpected reply from berthd: ${key} is not a string`);
  return value;
}

/** A string field where '' means absent. */
export function optionalText(object: WireObject, key: string): string | undefined {
  const value = text(object, key);
  return value === '' ? undefined : value;
}

export function flag(object: WireObject, key: string): boolean {
  return object[key] === true;
}

/** A string-to-string map (Options, Labels); absent or null is empty. */
export function textMap(object: WireObject, key: string): Readonly<Record<string, string>> {
  const value = object[key];
  if (value === undefined || value === null) return {};
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(asObject(value, key))) if (typeof entry === 'string') out[name] = entry;
  return out;
}
