/**
 * The fast path of the embedded DNS: the query nearly every lookup is — one uncompressed
 * question, class IN, type A or AAAA, for a local name, optionally with one OPT record — is read
 * and answered straight from the bytes, without dns-packet's object round trip. Anything else
 * (other types, forwarding, odd packets, answers that need truncation) returns undefined and
 * goes through the full query handler, which produces the same answer more slowly
 * (dns/fast-answer.test.ts checks both agree).
 */
import type { LocalNames, LocalRecord, Transport } from './dns-types.js';

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;
const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_OPT = 41;
const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const DNSSEC_OK = 0x8000;
const OUR_UDP_PAYLOAD_SIZE = 4096;
const CLASSIC_UDP_LIMIT = 512;
const TCP_LIMIT = 65_535;
/** A pointer to the question's name, which always starts right after the header. */
const NAME_POINTER = 0xc000 | HEADER_BYTES;

interface PlainQuery {
  readonly name: string;
  readonly type: 'A' | 'AAAA';
  /** End of the question section. */
  readonly questionEnd: number;
  readonly edns: { readonly udpPayloadSize: number; readonly dnssecOk: boolean } | undefined;
}

/** The lower-case name of an uncompressed question at offset 12, with its end; undefined if unusual. */
function readPlainName(query: Buffer): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  while (offset < query.length) {
    const length = query[offset] ?? 0;
    if (length === 0) return { name: labels.join('.'), end: offset + 1 };
    if (length > 63 || offset + 1 + length > query.length || offset + 1 + length - HEADER_BYTES > MAX_NAME_BYTES) return undefined;
    for (let index = offset + 1; index <= offset + length; index += 1) {
      const byte = query[index] ?? 0;
      // Printable ASCII without the dot: anything else keeps its exact spelling in the full path.
      if (byte <= 0x20 || byte >= 0x7f || byte === 0x2e) return undefined;
    }
    labels.push(query.toString('latin1', offset + 1, offset + 1 + length).toLowerCase());
    offset += 1 + length;
  }
  return undefined;
}

function readPlainQuery(query: Buffer): PlainQuery | undefined {
  if (query.length < HEADER_BYTES + 5) return undefined;
  const flags = query.readUInt16BE(2);
  // A query (QR 0), opcode QUERY, one question, no answers or authority, at most one additional.
  if ((flags & 0xf800) !== 0 || query.readUInt16BE(4) !== 1 || query.readUInt16BE(6) !== 0 || query.readUInt16BE(8) !== 0) return undefined;
  const additionals = query.readUInt16BE(10);
  if (additionals > 1) return undefined;
  const name = readPlainName(query);
  if (name === undefined || name.name === '' || name.end + 4 > query.length) return undefined;
  const type = query.readUInt16BE(name.end);
  if ((type !== TYPE_A && type !== TYPE_AAAA) || query.readUInt16BE(name.end + 2) !== CLASS_IN) return undefined;
  const questionEnd = name.end + 4;
  let edns: PlainQuery['edns'];
  if (additionals === 1) {
    // Exactly one OPT: root owner, TYPE 41, CLASS = payload size, TTL = ext-rcode/version/flags, RDLEN, RDATA.
    const at = questionEnd;
    if (at + 11 > query.length || query[at] !== 0 || query.readUInt16BE(at + 1) !== TYPE_OPT) return undefined;
    if (at + 11 + query.readUInt16BE(at + 9) !== query.length) return undefined;
    edns = { udpPayloadSize: query.readUInt16BE(at + 3), dnssecOk: (query.readUInt16BE(at + 7) & DNSSEC_OK) !== 0 };
  } else if (questionEnd !== query.length) {
    return undefined;
  }
  return { name: name.name, type: type === TYPE_A ? 'A' : 'AAAA', questionEnd, edns };
}

function addressBytes(record: LocalRecord): Buffer | undefined {
  if (record.type === 'A') {
    const parts = record.address.split('.').map(Number);
    return parts.length === 4 ? Buffer.from(parts) : undefined;
  }
  if (record.type !== 'AAAA') return undefined;
  const [head = '', tail] = record.address.split('::');
  const groups = (text: string): string[] => (text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  if (left.some((group) => group.includes('.')) || right.some((group) => group.includes('.'))) return undefined;
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((group, index) => out.writeUInt16BE(Number.parseInt(group, 16), index * 2));
  return out;
}

/**
 * The response to a plain local A/AAAA query, or undefined when the full handler must answer it
 * (not plain, not local, or too big for the client).
 */
export function fastLocalAnswer(query: Buffer, context: { readonly names: LocalNames; readonly ttl: number; readonly transport: Transport }): Buffer | undefined {
  const plain = readPlainQuery(query);
  if (plain === undefined) return undefined;
  const local = context.names.lookup({ name: plain.name, type: plain.type });
  if (local.kind !== 'records') return undefined;
  const addresses: Buffer[] = [];
  for (const record of local.records) {
    const bytes = addressBytes(record);
    if (bytes === undefined) return undefined;
    addresses.push(bytes);
  }
  const answerBytes = addresses.reduce((total, address) => total + 12 + address.length, 0);
  const size = plain.questionEnd + answerBytes + (plain.edns === undefined ? 0 : 11);
  const limit = context.transport === 'tcp' ? TCP_LIMIT : Math.max(CLASSIC_UDP_LIMIT, plain.edns?.udpPayloadSize ?? 0);
  if (size > limit) return undefined;
  const out = Buffer.alloc(size);
  query.copy(out, 0, 0, plain.questionEnd);
  out.writeUInt16BE(FLAG_QR | FLAG_AA | FLAG_RA | (query.readUInt16BE(2) & FLAG_RD), 2);
  out.writeUInt16BE(addresses.length, 6);
  out.writeUInt16BE(plain.edns === undefined ? 0 : 1, 10);
  let offset = plain.questionEnd;
  const type = plain.type === 'A' ? TYPE_A : TYPE_AAAA;
  for (const address of addresses) {
    out.writeUInt16BE(NAME_POINTER, offset);
    out.writeUInt16BE(type, offset + 2);
    out.writeUInt16BE(CLASS_IN, offset + 4);
    out.writeUInt32BE(context.ttl, offset + 6);
    out.writeUInt16BE(address.length, offset + 10);
    address.copy(out, offset + 12);
    offset += 12 + address.length;
  }
  if (plain.edns !== undefined) {
    out.writeUInt16BE(TYPE_OPT, offset + 1);
    out.writeUInt16BE(OUR_UDP_PAYLOAD_SIZE, offset + 3);
    out.writeUInt16BE(plain.edns.dnssecOk ? DNSSEC_OK : 0, offset + 7);
  }
  return out;
}
