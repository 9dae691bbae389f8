import { Address4, Address6 } from 'ip-address';
import { BerthError } from '../../errors/index.js';

/** An IP address or CIDR parsed for netlink: its family, bytes and prefix length. */
export interface IpBytes {
  readonly family: 4 | 6;
  readonly bytes: Buffer;
  readonly prefixLength: number;
  /** The address without prefix, in canonical text form. */
  readonly text: string;
}

function invalid(field: string, value: string, reason: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', `${field} ${JSON.stringify(value)}: ${reason}`, { object: value });
}

/** Parses "1.2.3.4", "1.2.3.4/24", "fd00::1" or "fd00::1/64". */
export function parseIp(value: string, field = 'address'): IpBytes {
  if (Address4.isValid(value)) {
    const address = new Address4(value);
    return { family: 4, bytes: Buffer.from(address.toArray()), prefixLength: address.subnetMask, text: address.correctForm() };
  }
  if (Address6.isValid(value)) {
    const address = new Address6(value);
    const bytes = Buffer.alloc(16);
    Buffer.from(address.toUnsignedByteArray()).copy(bytes, 16 - address.toUnsignedByteArray().length);
    return { family: 6, bytes, prefixLength: address.subnetMask, text: address.correctForm() };
  }
  throw invalid(field, value, 'not an IPv4 or IPv6 address');
}

/** Formats 4 or 16 address bytes as text. */
export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) return Address6.fromUnsignedByteArray(Array.from(bytes)).correctForm();
  return bytes.toString('hex');
}

const MAC_PATTERN = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/** Parses "aa:bb:cc:dd:ee:ff" into 6 bytes. */
export function parseMac(value: string): Buffer {
  if (!MAC_PATTERN.test(value)) throw invalid('mac address', value, 'expected six hex pairs like 02:42:ac:11:00:02');
  return Buffer.from(value.split(':').map((pair) => Number.parseInt(pair, 16)));
}

/** Formats link-layer address bytes as "aa:bb:..". */
export function formatMac(bytes: Buffer): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}
