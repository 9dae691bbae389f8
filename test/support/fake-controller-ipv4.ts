import { BerthError } from '../../src/errors/index.js';

/** A parsed IPv4 CIDR: network address and prefix length, as integers. */
export interface Cidr4 {
  readonly base: number;
  readonly prefix: number;
}

/** Dotted quad → integer, or undefined when it is not one. */
export function ipToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Integer → dotted quad. */
export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/n"; INVALID_ARGUMENT when malformed or with host bits set (Docker's message). */
export function parseCidr4(text: string, what: string): Cidr4 {
  const [ip = '', prefixText = '', extra] = text.split('/');
  const address = ipToInt(ip);
  const prefix = Number(prefixText);
  if (address === undefined || extra !== undefined || !/^\d{1,2}$/.test(prefixText) || prefix > 32) {
    throw new BerthError('INVALID_ARGUMENT', `invalid ${what} ${text}`, { object: text });
  }
  const size = 2 ** (32 - prefix);
  const base = address - (address % size);
  if (base !== address) throw new BerthError('INVALID_ARGUMENT', `invalid ${what} ${text}: it should be ${intToIp(base)}/${prefix}`, { object: text });
  return { base, prefix };
}

/** Number of addresses in the block. */
export function cidrSize(cidr: Cidr4): number {
  return 2 ** (32 - cidr.prefix);
}

/** True when `address` lies inside `cidr`. */
export function cidrContains(cidr: Cidr4, address: number): boolean {
  return address >= cidr.base && address < cidr.base + cidrSize(cidr);
}

/** True when the two blocks share any address. */
export function cidrsOverlap(a: Cidr4, b: Cidr4): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}
