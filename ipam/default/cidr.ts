import { Address4, Address6 } from 'ip-address';
import { BerthError } from '../../src/errors/index.js';

/** An IP family. */
export type Family = 4 | 6;

/** A parsed prefix: family, first and last address as bigint, prefix length and canonical text. */
export interface Prefix {
  readonly family: Family;
  readonly start: bigint;
  readonly end: bigint;
  readonly length: number;
  readonly text: string;
}

/** How to parse a prefix: the field named in errors, and what input is accepted. */
export interface ParsePrefixOptions {
  /** Named in error messages: "subnet", "ip-range", "exclude", ... */
  readonly field: string;
  /** Refuse host bits (Docker: "invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16"). */
  readonly strict?: boolean;
  /** Accept a plain address as a host prefix (/32 or /128), e.g. a nameserver. */
  readonly allowAddress?: boolean;
}

/** Number of address bits of a family. */
export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

function parseAny(text: string): Address4 | Address6 | undefined {
  // ip-address accepts a zone ("fe80::1%eth0") and Address4 a few odd forms; a subnet is neither.
  if (text.includes('%')) return undefined;
  if (Address4.isValid(text)) return new Address4(text);
  if (Address6.isValid(text)) return new Address6(text);
  return undefined;
}

/** Parses a CIDR (or, with `allowAddress`, a plain address) into a Prefix; INVALID_ARGUMENT names the field. */
export function parsePrefix(cidr: string, options: ParsePrefixOptions): Prefix {
  const hasLength = cidr.includes('/');
  const address = parseAny(cidr);
  if (address === undefined || (!hasLength && options.allowAddress !== true)) {
    throw new BerthError(
      'INVALID_ARGUMENT',
      `invalid ${options.field} ${JSON.stringify(cidr)}: not a CIDR (address/prefix-length)`,
      {
        object: cidr,
        operation: 'parse prefix',
      },
    );
  }
  const family: Family = address instanceof Address4 ? 4 : 6;
  const start = address.startAddress();
  const canonical = `${start.correctForm()}/${address.subnetMask}`;
  if (options.strict === true && address.bigInt() !== start.bigInt()) {
    throw new BerthError('INVALID_ARGUMENT', `invalid ${options.field} ${cidr}: it should be ${canonical}`, {
      object: cidr,
      operation: 'parse prefix',
    });
  }
  return {
    family,
    start: start.bigInt(),
    end: address.endAddress().bigInt(),
    length: address.subnetMask,
    text: canonical,
  };
}

/** Parses a plain address (no prefix length) into its family and bigint value. */
export function parseAddress(
  ip: string,
  field = 'address',
): { readonly family: Family; readonly value: bigint } {
  const address = ip.includes('/') ? undefined : parseAny(ip);
  if (address === undefined) {
    throw new BerthError('INVALID_ARGUMENT', `invalid ${field} ${JSON.stringify(ip)}: not an IP address`, {
      object: ip,
      operation: 'parse address',
    });
  }
  return { family: address instanceof Address4 ? 4 : 6, value: address.bigInt() };
}

/** Formats a bigint address of a family as text ("10.0.0.1", "fd00::1"). */
export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

/** Builds the Prefix of `length` bits that starts at `start` (which must be aligned). */
export function prefixAt(options: {
  readonly family: Family;
  readonly start: bigint;
  readonly length: number;
}): Prefix {
  const size = 1n << BigInt(familyBits(options.family) - options.length);
  const text = `${formatAddress(options.family, options.start)}/${options.length}`;
  return {
    family: options.family,
    start: options.start,
    end: options.start + size - 1n,
    length: options.length,
    text,
  };
}

/** True when the two prefixes share any address (always false across families). */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** True when `inner` lies completely inside `outer`. */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * True when two CIDRs share any address ("10.0.0.0/8" and "10.1.0.0/16"). A plain address counts
 * as a host prefix; different families never overlap. INVALID_ARGUMENT on unparsable input.
 */
export function overlaps(cidrA: string, cidrB: string): boolean {
  const options = { field: 'prefix', allowAddress: true };
  return prefixesOverlap(parsePrefix(cidrA, options), parsePrefix(cidrB, options));
}

/** True when the plain address `ip` lies inside `cidr` (false across families). INVALID_ARGUMENT on unparsable input. */
export function containsAddress(cidr: string, ip: string): boolean {
  const prefix = parsePrefix(cidr, { field: 'prefix' });
  const { family, value } = parseAddress(ip);
  return family === prefix.family && prefix.start <= value && value <= prefix.end;
}
