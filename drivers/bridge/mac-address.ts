import { randomBytes } from 'node:crypto';

/** Random unicast, locally administered MAC (Docker ≥ 28 does the same for endpoints). */
export function randomMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = ((bytes[0] ?? 0) & 0xfe) | 0x02;
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}
