/**
 * Netlink attribute (struct nlattr) encoding and decoding for the nested attributes the
 * `netlink` package leaves as raw buffers (IFLA_LINKINFO, IFLA_INFO_DATA, VETH_INFO_PEER).
 */
const NLA_HDRLEN = 4;
const NLA_F_NESTED = 0x8000;

function align4(length: number): number {
  return (length + 3) & ~3;
}

/** One attribute: type plus payload, padded to 4 bytes. */
export function nlattr(type: number, payload: Buffer): Buffer {
  const length = NLA_HDRLEN + payload.length;
  const out = Buffer.alloc(align4(length));
  out.writeUInt16LE(length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, NLA_HDRLEN);
  return out;
}

/** A nested attribute holding `children`. */
export function nested(type: number, children: readonly Buffer[]): Buffer {
  return nlattr(type | NLA_F_NESTED, Buffer.concat(children));
}

export function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}

export function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(value);
  return out;
}

/** A 16-bit value in network byte order (ports, ethertypes). */
export function be16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

/** A NUL-terminated string payload. */
export function cstring(value: string): Buffer {
  return Buffer.concat([Buffer.from(value, 'utf8'), Buffer.from([0])]);
}

/** Splits a buffer of attributes into type → payload (the last one wins on repeats). */
export function parseAttributes(buffer: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let offset = 0;
  while (offset + NLA_HDRLEN <= buffer.length) {
    const length = buffer.readUInt16LE(offset);
    const type = buffer.readUInt16LE(offset + 2) & ~NLA_F_NESTED;
    if (length < NLA_HDRLEN || offset + length > buffer.length) break;
    out.set(type, buffer.subarray(offset + NLA_HDRLEN, offset + length));
    offset += align4(length);
  }
  return out;
}

/** Reads a NUL-terminated string payload. */
export function readCstring(payload: Buffer): string {
  const end = payload.indexOf(0);
  return payload.subarray(0, end === -1 ? payload.length : end).toString('utf8');
}
