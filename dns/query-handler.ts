/**
 * The protocol core of the embedded DNS server: one raw query in, one raw response (or nothing) out.
 * Sockets live in the listeners, names in LocalNames, upstream traffic in the Forwarder; this file
 * only decodes, decides and encodes, and it never throws: whatever goes wrong after the header was
 * read becomes an error response carrying the client's id.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Question } from 'dns-packet';
import type { Forwarder, LocalRecord, QueryContext, QueryHandler } from './dns-types.js';

/** What a query handler is built from. */
export interface QueryHandlerOptions {
  readonly forwarder: Forwarder;
  /** Forwarded queries allowed at once; past it a query gets SERVFAIL at once instead of queueing. */
  readonly maxInFlight?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 1024;
const HEADER_BYTES = 12;
/** RFC 1035 4.2.1: without EDNS a UDP message is at most 512 bytes. */
const CLASSIC_UDP_LIMIT = 512;
/** The 2-byte length prefix bounds a TCP message (RFC 1035 4.2.2). */
const TCP_LIMIT = 65_535;
/** The UDP payload size we advertise in our own OPT records (RFC 6891 6.2.5 suggests 4096 as a start). */
const OUR_UDP_PAYLOAD_SIZE = 4096;
/** Names are at most 255 octets (RFC 1035 3.1); more pointer jumps than that can only be a loop. */
const MAX_NAME_BYTES = 255;
/** The root name (1 byte) and type and class. */
const MIN_QUESTION_BYTES = 5;
/** The root name or nothing shorter, type, class, TTL and a zero RDLENGTH. */
const MIN_RECORD_BYTES = 11;

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const OPCODE_QUERY = 0;
const TYPE_OPT = 41;
const DNSSEC_OK = 0x8000;

/** RFC 1035 4.1.1 response codes. */
const RCODE = { noError: 0, formErr: 1, servFail: 2, notImp: 4 } as const;

/** The fixed header fields of a query, readable whenever it has 12 bytes. */
interface QueryHeader {
  readonly id: number;
  readonly isResponse: boolean;
  readonly opcode: number;
  readonly recursionDesired: boolean;
}

/** A query that passed every check: exactly one question, at most one OPT record. */
interface ParsedQuery {
  readonly header: QueryHeader;
  readonly question: Question;
  /** The question section as the client sent it (case kept), with any compression expanded. */
  readonly questionBytes: Buffer;
  /** Present when the query carried an OPT record (EDNS0). */
  readonly edns: { readonly udpPayloadSize: number; readonly dnssecOk: boolean } | undefined;
}

/** Builds the handler the listeners call for every UDP datagram and every TCP message. */
export function createQueryHandler(options: QueryHandlerOptions): QueryHandler {
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  return {
    async handle(query, context) {
      if (query.length < HEADER_BYTES) return undefined;
      const header = readHeader(query);
      // Answering a response could start a loop between two servers; drop it silently.
      if (header.isResponse) return undefined;
      try {
        return await respond({ query, header, context }, { forwarder: options.forwarder, maxInFlight });
      } catch {
        return headerOnlyResponse(header, RCODE.servFail);
      }
    },
  };
}

interface Exchange {
  readonly query: Buffer;
  readonly header: QueryHeader;
  readonly context: QueryContext;
}

async function respond(exchange: Exchange, options: Required<QueryHandlerOptions>): Promise<Buffer> {
  const { query, header, context } = exchange;
  if (header.opcode !== OPCODE_QUERY) return headerOnlyResponse(header, RCODE.notImp);
  const parsed = parseQuery(query, header);
  if (parsed === undefined) return headerOnlyResponse(header, RCODE.formErr);
  const limit = sizeLimit(parsed, context);
  const { question } = parsed;
  // Local names are class IN only; anything else (CHAOS version.bind, ...) is the upstream's business.
  const local = question.class === 'IN' ? context.names.lookup({ name: question.name, type: question.type }) : { kind: 'not-ours' as const };
  if (local.kind === 'records') return fit(localResponse(parsed, { records: local.records, ttl: context.ttl }), { parsed, limit });
  // No upstreams means forwarding is off (an internal network, or a host without resolvers). Docker
  // answers SERVFAIL there too, so clients fail fast instead of waiting for a REFUSED-then-next-server.
  if (context.upstreams.length === 0) return questionResponse(parsed, RCODE.servFail);
  // Past the limit, queueing would only grow memory while clients time out and retry anyway.
  if (options.forwarder.inFlight >= options.maxInFlight) return questionResponse(parsed, RCODE.servFail);
  const upstreamResponse = await options.forwarder.forward(query, { transport: context.transport, upstreams: context.upstreams });
  if (upstreamResponse === undefined || upstreamResponse.length < HEADER_BYTES) return questionResponse(parsed, RCODE.servFail);
  const restored = Buffer.from(upstreamResponse);
  restored.writeUInt16BE(header.id, 0);
  return fit(restored, { parsed, limit });
}

function readHeader(query: Buffer): QueryHeader {
  const flags = query.readUInt16BE(2);
  return {
    id: query.readUInt16BE(0),
    isResponse: (flags & FLAG_QR) !== 0,
    opcode: (flags >> 11) & 0xf,
    recursionDesired: (flags & FLAG_RD) !== 0,
  };
}

/** Decodes and checks the body; undefined means FORMERR (malformed, not exactly one question, two OPTs). */
function parseQuery(query: Buffer, header: QueryHeader): ParsedQuery | undefined {
  if (!plausibleCounts(query)) return undefined;
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return undefined;
  }
  const questions = packet.questions ?? [];
  const question = questions[0];
  if (questions.length !== 1 || question === undefined) return undefined;
  const questionBytes = readQuestionBytes(query);
  if (questionBytes === undefined) return undefined;
  const options = (packet.additionals ?? []).filter((record) => record.type === 'OPT');
  // RFC 6891 6.1.1: more than one OPT record is a FORMERR.
  if (options.length > 1) return undefined;
  const opt = options[0];
  const edns = opt?.type === 'OPT' ? { udpPayloadSize: opt.udpPayloadSize, dnssecOk: (opt.flags & DNSSEC_OK) !== 0 } : undefined;
  return { header, question, questionBytes, edns };
}

/**
 * Exactly one question, and no more records than the bytes could hold. dns-packet allocates an
 * array per section from the header's counts before reading a byte of them, so four counts of
 * 65535 in a 12-byte datagram would cost about 2 MB and milliseconds each: checked here first.
 */
function plausibleCounts(query: Buffer): boolean {
  const records = query.readUInt16BE(6) + query.readUInt16BE(8) + query.readUInt16BE(10);
  return query.readUInt16BE(4) === 1 && HEADER_BYTES + MIN_QUESTION_BYTES + records * MIN_RECORD_BYTES <= query.length;
}

/**
 * The first question's bytes, names uncompressed, exactly as asked. dns-packet's decoded name is
 * lossy (UTF-8 decoding, dots inside labels), so echoing the client's own bytes is what keeps
 * the question section identical to the one it sent, as resolvers check.
 */
function readQuestionBytes(message: Buffer): Buffer | undefined {
  const labels: Buffer[] = [];
  let offset = HEADER_BYTES;
  let end: number | undefined;
  let nameBytes = 1;
  let segmentStart = offset;
  for (let jumps = 0; jumps <= MAX_NAME_BYTES; ) {
    const length = message[offset];
    if (length === undefined) return undefined;
    if (length === 0) {
      end ??= offset + 1;
      const typeAndClass = message.subarray(end, end + 4);
      if (typeAndClass.length !== 4) return undefined;
      return Buffer.concat([...labels, Buffer.from([0]), typeAndClass]);
    }
    if ((length & 0xc0) === 0xc0) {
      const target = message.readUInt16BE(offset) & 0x3fff;
      // Only pointers to data before the current run of labels, as dns-packet requires: every jump
      // goes strictly further back, so self pointers and loops cannot happen.
      if (offset + 1 >= message.length || target >= segmentStart) return undefined;
      end ??= offset + 2;
      offset = target;
      segmentStart = target;
      jumps += 1;
      continue;
    }
    if ((length & 0xc0) !== 0 || offset + 1 + length > message.length) return undefined;
    nameBytes += length + 1;
    if (nameBytes > MAX_NAME_BYTES) return undefined;
    labels.push(message.subarray(offset, offset + 1 + length));
    offset += 1 + length;
  }
  return undefined;
}

/** The client's limit (RFC 6891 6.2.5: at least 512 even if it advertises less; TCP: the framing's). */
function sizeLimit(parsed: ParsedQuery, context: QueryContext): number {
  if (context.transport === 'tcp') return TCP_LIMIT;
  return parsed.edns === undefined ? CLASSIC_UDP_LIMIT : Math.max(CLASSIC_UDP_LIMIT, parsed.edns.udpPayloadSize);
}

/** Response flags: QR, RD echoed (RFC 1035 4.1.1), RA since we recurse (forward) for the client. */
function responseFlags(header: QueryHeader, rcode: number): number {
  return FLAG_QR | (header.opcode << 11) | (header.recursionDesired ? FLAG_RD : 0) | FLAG_RA | rcode;
}

/** FORMERR/NOTIMP/SERVFAIL when not even the question can be trusted: a bare header with the client's id. */
function headerOnlyResponse(header: QueryHeader, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(responseFlags(header, rcode), 2);
  return out;
}

/** Our OPT record (RFC 6891 6.1.2): root name, our payload size, DO echoed (RFC 3225 3), no options. */
function optRecord(edns: NonNullable<ParsedQuery['edns']>): Buffer {
  const out = Buffer.alloc(11);
  out.writeUInt16BE(TYPE_OPT, 1);
  out.writeUInt16BE(OUR_UDP_PAYLOAD_SIZE, 3);
  out.writeUInt16BE(edns.dnssecOk ? DNSSEC_OK : 0, 7);
  return out;
}

interface ResponseParts {
  readonly flags: number;
  readonly answers?: { readonly count: number; readonly bytes: Buffer };
}

/** header + the question as asked + answers + our OPT when the client spoke EDNS. */
function assemble(parsed: ParsedQuery, parts: ResponseParts): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(parsed.header.id, 0);
  header.writeUInt16BE(parts.flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(parts.answers?.count ?? 0, 6);
  header.writeUInt16BE(parsed.edns === undefined ? 0 : 1, 10);
  const opt = parsed.edns === undefined ? [] : [optRecord(parsed.edns)];
  return Buffer.concat([header, parsed.questionBytes, parts.answers?.bytes ?? Buffer.alloc(0), ...opt]);
}

function questionResponse(parsed: ParsedQuery, rcode: number): Buffer {
  return assemble(parsed, { flags: responseFlags(parsed.header, rcode) });
}

/**
 * An answer from local names. AA is set: for these names we are the only source of truth, as
 * Docker's resolver is. An empty record list is NODATA (NOERROR, no answers), not NXDOMAIN, so a
 * client asking AAAA for an IPv4-only container still tries A.
 */
function localResponse(parsed: ParsedQuery, local: { readonly records: readonly LocalRecord[]; readonly ttl: number }): Buffer {
  const asked = parsed.question.name;
  const answers = local.records.map((record) => toAnswer(record, { name: sameName(record.name, asked) ? asked : record.name, ttl: local.ttl }));
  // dns-packet never compresses names, so its answer section is position independent and can follow our question bytes.
  const bytes = dnsPacket.encode({ answers }).subarray(HEADER_BYTES);
  return assemble(parsed, { flags: responseFlags(parsed.header, RCODE.noError) | FLAG_AA, answers: { count: answers.length, bytes } });
}

function toAnswer(record: LocalRecord, owner: { readonly name: string; readonly ttl: number }): Answer {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { type: record.type, name: owner.name, class: 'IN', ttl: owner.ttl, data: record.address };
    case 'PTR':
      return { type: 'PTR', name: owner.name, class: 'IN', ttl: owner.ttl, data: record.target };
  }
}

function sameName(left: string, right: string): boolean {
  return left.replace(/\.$/, '').toLowerCase() === right.replace(/\.$/, '').toLowerCase();
}

/**
 * A response the client can take: unchanged when it fits its limit, else truncated (RFC 2181 9):
 * TC set and only the question and OPT kept, so the client retries over TCP. The header's rcode and
 * flags are kept, so a forwarded NXDOMAIN stays one.
 */
function fit(response: Buffer, target: { readonly parsed: ParsedQuery; readonly limit: number }): Buffer {
  if (response.length <= target.limit) return response;
  return assemble(target.parsed, { flags: response.readUInt16BE(2) | FLAG_QR | FLAG_TC });
}
