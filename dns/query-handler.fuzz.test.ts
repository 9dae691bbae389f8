import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Forwarder, LocalNames, QueryContext, Transport } from './dns-types.js';
import { createQueryHandler } from './query-handler.js';

/**
 * Whatever bytes arrive, handle() resolves, quickly, to nothing or to a response that dns-packet
 * decodes and that carries the query's id. Seeds are fixed so a failure replays.
 */

const SEED = 0x0b1e55ed;

const names: LocalNames = {
  lookup: ({ name, type }) => {
    const key = name.toLowerCase();
    if (key === 'web.net1') return { kind: 'records', records: type === 'A' ? [{ type: 'A', name: key, address: '172.18.0.2' }] : [] };
    if (key === 'many.net1') {
      return { kind: 'records', records: Array.from({ length: 100 }, (_, index) => ({ type: 'A' as const, name: key, address: `10.0.0.${index}` })) };
    }
    if (key === '2.0.18.172.in-addr.arpa') return { kind: 'records', records: [{ type: 'PTR', name: key, target: 'web.net1' }] };
    return { kind: 'not-ours' };
  },
};

/**
 * Answers like an upstream would, from what dns-packet can read of the query; sometimes nothing.
 * dns-packet cannot re-encode every name it decodes (a label holding a dot), so when its response
 * does not decode the fake echoes the query bytes with QR set instead: a real upstream's bytes
 * pass through untouched, and the fake must not be the one sending garbage.
 */
const forwarder: Forwarder = {
  inFlight: 0,
  forward: async (query) => {
    const asked = dnsPacket.decode(query);
    if ((asked.id ?? 0) % 7 === 0) return undefined;
    const name = asked.questions?.[0]?.name ?? '.';
    const answers = Array.from({ length: (asked.id ?? 0) % 40 }, (_, index) => ({ type: 'A' as const, name, ttl: 5, data: `192.0.2.${index}` }));
    const response = dnsPacket.encode({ type: 'response', id: 0xdead, flags: dnsPacket.RECURSION_AVAILABLE, questions: asked.questions ?? [], answers });
    try {
      dnsPacket.decode(response);
      return response;
    } catch {
      const echoed = Buffer.from(query);
      echoed.writeUInt16BE(echoed.readUInt16BE(2) | 0x8000, 2);
      return echoed;
    }
  },
  close: () => undefined,
};

const handler = createQueryHandler({ forwarder });

function context(transport: Transport): QueryContext {
  return { transport, names, upstreams: [{ ip: '192.0.2.53', port: 53 }], ttl: 600 };
}

/**
 * Resolves on the next turn of the event loop. With these fakes handle() only ever waits on
 * microtasks, so a query still pending after it never settles: a hang, reported with its bytes.
 * (One timer per query would cost more than the query itself.)
 */
function nextTurn(): Promise<'hang'> {
  return new Promise((resolve) => setImmediate(() => resolve('hang')));
}

/** Runs one query and checks the outcome; throws (failing the property) on a hang or a bad response. */
async function checkQuery(query: Buffer, transport: Transport): Promise<boolean> {
  const outcome = await Promise.race([handler.handle(query, context(transport)), nextTurn()]);
  const hex = query.toString('hex');
  if (outcome === 'hang') throw new Error(`handle() hung on ${hex}`);
  if (outcome === undefined) return true;
  // Plain checks: expect() in 30,000 runs costs more than the handler does.
  if (query.length < 12) throw new Error(`answered a ${query.length}-byte query ${hex}`);
  if (outcome.readUInt16BE(0) !== query.readUInt16BE(0)) throw new Error(`id changed for ${hex}`);
  if ((outcome.readUInt16BE(2) & 0x8000) === 0) throw new Error(`QR not set for ${hex}`);
  if (outcome.length > 65_535) throw new Error(`response too long for ${hex}`);
  dnsPacket.decode(outcome);
  return true;
}

const transport = fc.constantFrom<Transport>('udp', 'tcp');

const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/);
const name = fc.oneof(
  fc.constantFrom('web.net1', 'WEB.Net1', 'many.net1', '2.0.18.172.in-addr.arpa', 'example.com'),
  fc.array(label, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.')),
);
const validQuery = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.integer({ min: 0, max: 0x7fff }).map((flags) => flags & ~0x7800),
    name,
    type: fc.constantFrom<RecordType>('A', 'AAAA', 'PTR', 'MX', 'TXT', 'SRV'),
    edns: fc.option(fc.integer({ min: 0, max: 0xffff })),
  })
  .map(({ id, flags, name: asked, type, edns }) =>
    dnsPacket.encode({
      type: 'query',
      id,
      flags,
      questions: [{ name: asked, type, class: 'IN' }],
      additionals: edns === null ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    }),
  );

/** A change to a valid query; each keeps the buffer a buffer (any length, any bytes). */
type Mutation = (bytes: Buffer) => Buffer;
const position = fc.nat({ max: 600 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: position, bit: fc.nat({ max: 7 }) }).map(({ at, bit }): Mutation => (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length > 0) copy.writeUInt8(copy.readUInt8(at % copy.length) ^ (1 << bit), at % copy.length);
    return copy;
  }),
  position.map((length): Mutation => (bytes) => bytes.subarray(0, length % (bytes.length + 1))),
  // A compression pointer written anywhere, at itself, forward, or back into the header.
  fc.record({ at: position, target: fc.oneof(fc.constant(-1), fc.nat({ max: 0x3fff })) }).map(({ at, target }): Mutation => (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length < 2) return copy;
    const offset = at % (copy.length - 1);
    copy.writeUInt16BE(0xc000 | (target === -1 ? offset : target), offset);
    return copy;
  }),
  // Two pointers at each other: a loop.
  position.map((at): Mutation => (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length < 16) return copy;
    const offset = 12 + (at % (copy.length - 15));
    copy.writeUInt16BE(0xc000 | (offset + 2), offset);
    copy.writeUInt16BE(0xc000 | offset, offset + 2);
    return copy;
  }),
  // Huge (or any) section counts.
  fc.record({ count: fc.constantFrom(4, 6, 8, 10), value: fc.oneof(fc.constant(0xffff), fc.nat({ max: 0xffff })) }).map(({ count, value }): Mutation => (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length >= 12) copy.writeUInt16BE(value, count);
    return copy;
  }),
  fc.record({ at: position, inserted: fc.uint8Array({ minLength: 1, maxLength: 16 }) }).map(({ at, inserted }): Mutation => (bytes) => {
    const offset = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, offset), Buffer.from(inserted), bytes.subarray(offset)]);
  }),
);

describe('query handler fuzzing', () => {
  it('survives 20,000 random byte buffers', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 64 }),
      fc.uint8Array({ minLength: 12, maxLength: 600 }),
      // Headers that look like a one-question query with a few records, followed by noise.
      fc.tuple(fc.nat({ max: 0xffff }), fc.array(fc.nat({ max: 3 }), { minLength: 3, maxLength: 3 }), fc.uint8Array({ minLength: 0, maxLength: 300 })).map(([id, [answers = 0, authorities = 0, additionals = 0], rest]) => {
        const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, answers, 0, authorities, 0, additionals]);
        return Uint8Array.from(Buffer.concat([header, Buffer.from(rest)]));
      }),
    );
    await fc.assert(fc.asyncProperty(bytes, transport, async (raw, via) => checkQuery(Buffer.from(raw), via)), { seed: SEED, numRuns: 20_000 });
  });

  it('survives 10,000 mutated valid queries', async () => {
    const mutated = fc.tuple(validQuery, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([query, changes]) => changes.reduce((bytes, change) => change(bytes), query));
    await fc.assert(fc.asyncProperty(mutated, transport, async (query, via) => checkQuery(query, via)), { seed: SEED + 1, numRuns: 10_000 });
  });

  it('answers unmutated valid queries within the UDP limit', async () => {
    await fc.assert(
      fc.asyncProperty(validQuery, async (query) => {
        const response = await handler.handle(query, context('udp'));
        expect(response).toBeDefined();
        const opt = dnsPacket.decode(query).additionals?.find((record) => record.type === 'OPT');
        const limit = opt?.type === 'OPT' ? Math.max(512, opt.udpPayloadSize) : 512;
        expect(response?.length).toBeLessThanOrEqual(limit);
      }),
      { seed: SEED + 2, numRuns: 2_000 },
    );
  });
});
