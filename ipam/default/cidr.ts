import { Address4, Address6 } from 'ip-address';
import { BerthError } from '../../src/errors/index.js';

/** A parsed prefix: family, first and last address as bigint, prefix length. */
export interface Prefix {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
  readonly length: number;
  readonly text: string;
}

/** Parses a CIDR; `strict` refuses host bits (Docker: "invalid subnet X: it should be Y"). */
export function parsePrefix(cidr: string, options: { readonly field: string; readonly strict?: boolean } = { field: 'subnet' }): Prefix {
  const v4 = Address4.isValid(cidr);
  if (!cidr.includes('/') || !(v4 || Address6.isValid(cidr))) {
    throw new BerthError('INVALID_ARGUMENT', `invalid ${options.field} ${JSON.stringify(cidr)}: not a CIDR`, { object: cidr });
  }
  const address = v4 ? new Address4(cidr) : new Address6(cidr);
  const start = address.startAddress();
  const canonical = `${start.correctForm()}/${address.subnetMask}`;
  if (options.strict === true && address.bigInt() !== start.bigInt()) {
    throw new BerthError('INVALID_ARGUMENT', `invalid ${options.field} ${cidr}: it should be ${canonical}`, { object: cidr });
  }
  return { family: v4 ? 4 : 6, start: start.bigInt(), end: address.endAddress().bigInt(), length: address.subnetMask, text: canonical };
}

/** Parses a plain address into its family and bigint value. */
export function parseAddress(ip: string): { readonly family: 4 | 6; readonly value: bigint } {
  if (Address4.isValid(ip) && !ip.includes('/')) return { family: 4, value: new Address4(ip).bigInt() };
  if (Address6.isValid(ip) && !ip.includes('/')) return { family: 6, value: new Address6(ip).bigInt() };
  throw new BerthError('INVALID_ARGUMENT', `invalid IP address ${JSON.stringify(ip)}`, { object: ip });
}

/** Formats a bigint address of a family as text. */
export function formatAddress(family: 4 | 6, value: bigint): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

/** True when the two prefixes share any address (same family only). */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** True when `inner` lies completely inside `outer`. */
export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/** Splits `base` into consecutive prefixes of length `size` (lazily: a /8 into /24s is 65 536 of them). */
export function* subnets(base: Prefix, size: number): Generator<Prefix> {
  const bits = base.family === 4 ? 32 : 128;
  const step = 1n << BigInt(bits - size);
  for (let start = base.start; start + step - 1n <= base.end; start += step) {
    yield { family: base.family, start, end: start + step - 1n, length: size, text: `${formatAddress(base.family, start)}/${size}` };
  }
}
