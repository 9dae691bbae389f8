import dnsPacket from 'dns-packet';
import type { Answer, Packet, RecordType } from 'dns-packet';
import { describe, expect, it, vi } from 'vitest';
import type { Forwarder, LocalNames, LocalRecord, QueryContext } from './dns-types.js';
import { createQueryHandler } from './query-handler.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;

function fakeNames(table: Readonly<Record<string, readonly LocalRecord[]>>): LocalNames {
  return {
    lookup: ({ name, type }) => {
      const records = table[name.toLowerCase().replace(/\.$/, '')];
      if (records === undefined) return { kind: 'not-ours' };
      return { kind: 'records', records: records.filter((record) => record.type === type) };
    },
  };
}

/** A forwarder answering with `answer`, and its `forward` mock to check calls on. */
function fakeForwarder(answer: (query: Buffer) => Buffer | undefined = () => undefined, inFlight = 0) {
  const forward = vi.fn(async (query: Buffer) => answer(query));
  const forwarder: Forwarder = { inFlight, forward, close: () => undefined };
  return { forwarder, forward };
}

function context(overrides: Partial<QueryContext> = {}): QueryContext {
  return {
    transport: 'udp',
    names: fakeNames({
      'web.net1': [{ type: 'A', name: 'web.net1', address: '172.18.0.2' }, { type: 'AAAA', name: 'web.net1', address: 'fd00::2' }],
      'v4only.net1': [{ type: 'A', name: 'v4only.net1', address: '172.18.0.3' }],
      '2.0.18.172.in-addr.arpa': [{ type: 'PTR', name: '2.0.18.172.in-addr.arpa', target: 'web.net1' }],
      'many.net1': Array.from({ length: 60 }, (_, index) => ({ type: 'A' as const, name: 'many.net1', address: `10.0.${index >> 8}.${index & 255}` })),
      'huge.net1': Array.from({ length: 2000 }, (_, index) => ({ type: 'A' as const, name: 'huge.net1', address: `10.1.${index >> 8}.${index & 255}` })),
    }),
    upstreams: [{ ip: '192.0.2.53', port: 53 }],
    ttl: 600,
    ...overrides,
  };
}

function query(options: { name: string; type?: RecordType; id?: number; flags?: number; opt?: { udpPayloadSize: number; flags?: number }; class?: 'IN' | 'CH' }): Buffer {
  const packet: Packet = {
    type: 'query',
    id: options.id ?? 0x1234,
    flags: options.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name: options.name, type: options.type ?? 'A', class: options.class ?? 'IN' }],
    additionals: options.opt === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: options.opt.udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: options.opt.flags ?? 0, flag_do: false, options: [] }],
  };
  return dnsPacket.encode(packet);
}

function rcodeOf(response: Buffer): number {
  return response.readUInt16BE(2) & 0xf;
}

function flagsOf(response: Buffer): { qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean } {
  const flags = response.readUInt16BE(2);
  return { qr: (flags & 0x8000) !== 0, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, rd: (flags & 0x0100) !== 0, ra: (flags & 0x0080) !== 0 };
}

function upstreamResponse(request: Buffer, options: { id: number; rcode?: number; answers?: Answer[] }): Buffer {
  const asked = dnsPacket.decode(request);
  return dnsPacket.encode({ type: 'response', id: options.id, flags: dnsPacket.RECURSION_AVAILABLE | (options.rcode ?? 0), questions: asked.questions ?? [], answers: options.answers ?? [] });
}

async function ask(bytes: Buffer, overrides: Partial<QueryContext> = {}, forwarder: Forwarder = fakeForwarder().forwarder): Promise<Buffer> {
  const response = await createQueryHandler({ forwarder }).handle(bytes, context(overrides));
  if (response === undefined) throw new Error('expected a response');
  return response;
}

describe('dropped queries', () => {
  it('drops fewer than 12 bytes and responses', async () => {
    const handler = createQueryHandler({ forwarder: fakeForwarder().forwarder });
    expect(await handler.handle(Buffer.alloc(11), context())).toBeUndefined();
    expect(await handler.handle(Buffer.alloc(0), context())).toBeUndefined();
    const response = query({ name: 'web.net1' });
    response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
    expect(await handler.handle(response, context())).toBeUndefined();
  });
});

describe('FORMERR and NOTIMP', () => {
  const formerrCases: Record<string, Buffer> = {
    'a header alone claiming a question': Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
    'zero questions': Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]),
    'two questions': dnsPacket.encode({ type: 'query', id: 0xabcd, questions: [{ name: 'a.net1', type: 'A' }, { name: 'b.net1', type: 'A' }] }),
    'a name cut short': query({ name: 'web.net1', id: 0xabcd }).subarray(0, 16),
    'a compression pointer at itself': Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1]),
    'a compression pointer forward': Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0e, 0x01, 0x61, 0x00, 0, 1, 0, 1]),
    'a reserved label type': Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0x61, 0, 0, 1, 0, 1]),
    'a huge answer count': Buffer.concat([query({ name: 'web.net1', id: 0xabcd }).fill(0xff, 6, 8)]),
    'two OPT records': dnsPacket.encode({
      type: 'query',
      id: 0xabcd,
      questions: [{ name: 'web.net1', type: 'A' }],
      additionals: [0, 1].map(() => ({ type: 'OPT' as const, name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] })),
    }),
  };
  for (const [what, bytes] of Object.entries(formerrCases)) {
    it(`answers FORMERR with the same id to ${what}`, async () => {
      const response = await ask(bytes);
      expect(response.readUInt16BE(0)).toBe(0xabcd);
      expect(rcodeOf(response)).toBe(RCODE.FORMERR);
      expect(flagsOf(response).qr).toBe(true);
    });
  }

  it('answers NOTIMP to opcodes other than QUERY', async () => {
    const status = query({ name: 'web.net1', id: 7, flags: (2 << 11) | dnsPacket.RECURSION_DESIRED });
    const response = await ask(status);
    expect(response.readUInt16BE(0)).toBe(7);
    expect(rcodeOf(response)).toBe(RCODE.NOTIMP);
    expect((response.readUInt16BE(2) >> 11) & 0xf).toBe(2);
  });
});

describe('local answers', () => {
  it('answers A with the TTL, AA, RD copied and RA, naming the answer and question as asked', async () => {
    const response = await ask(query({ name: 'Web.NET1', id: 42 }));
    const decoded = dnsPacket.decode(response);
    expect(decoded.id).toBe(42);
    expect(flagsOf(response)).toEqual({ qr: true, aa: true, tc: false, rd: true, ra: true });
    expect(rcodeOf(response)).toBe(RCODE.NOERROR);
    expect(decoded.questions).toEqual([{ name: 'Web.NET1', type: 'A', class: 'IN' }]);
    expect(decoded.answers).toMatchObject([{ name: 'Web.NET1', type: 'A', ttl: 600, data: '172.18.0.2' }]);
    expect(decoded.additionals).toEqual([]);
  });

  it('keeps RD clear when the client did not set it', async () => {
    expect(flagsOf(await ask(query({ name: 'web.net1', flags: 0 }))).rd).toBe(false);
  });

  it('answers AAAA and PTR', async () => {
    const aaaa = dnsPacket.decode(await ask(query({ name: 'web.net1', type: 'AAAA' })));
    expect(aaaa.answers).toMatchObject([{ type: 'AAAA', data: 'fd00::2' }]);
    const ptr = dnsPacket.decode(await ask(query({ name: '2.0.18.172.in-addr.arpa', type: 'PTR' }), { ttl: 30 }));
    expect(ptr.answers).toMatchObject([{ name: '2.0.18.172.in-addr.arpa', type: 'PTR', ttl: 30, data: 'web.net1' }]);
  });

  it('answers NOERROR with no records (NODATA) for our name without that type', async () => {
    const response = await ask(query({ name: 'v4only.net1', type: 'AAAA' }));
    expect(rcodeOf(response)).toBe(RCODE.NOERROR);
    expect(dnsPacket.decode(response).answers).toEqual([]);
  });

  it('adds an OPT record when the query had one, echoing DO', async () => {
    const decoded = dnsPacket.decode(await ask(query({ name: 'web.net1', opt: { udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK } })));
    expect(decoded.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 4096, flag_do: true }]);
  });

  it('answers SERVFAIL when the names lookup throws', async () => {
    const names: LocalNames = { lookup: () => { throw new Error('broken snapshot'); } };
    const response = await ask(query({ name: 'web.net1', id: 9 }), { names });
    expect(response.readUInt16BE(0)).toBe(9);
    expect(rcodeOf(response)).toBe(RCODE.SERVFAIL);
  });
});

describe('not ours', () => {
  it('answers SERVFAIL with the question when forwarding is off', async () => {
    const { forwarder, forward } = fakeForwarder();
    const response = await ask(query({ name: 'example.com', id: 5 }), { upstreams: [] }, forwarder);
    expect(rcodeOf(response)).toBe(RCODE.SERVFAIL);
    expect(dnsPacket.decode(response).questions).toEqual([{ name: 'example.com', type: 'A', class: 'IN' }]);
    expect(forward).not.toHaveBeenCalled();
  });

  it('forwards with the transport and upstreams and restores the client id', async () => {
    const { forwarder, forward } = fakeForwarder((request) => upstreamResponse(request, { id: 999, rcode: RCODE.NXDOMAIN }));
    const bytes = query({ name: 'nowhere.example', id: 77 });
    const upstreams = [{ ip: '192.0.2.1', port: 53 }, { ip: '192.0.2.2', port: 5353 }];
    const response = await ask(bytes, { upstreams, transport: 'tcp' }, forwarder);
    expect(forward).toHaveBeenCalledWith(bytes, { transport: 'tcp', upstreams });
    expect(response.readUInt16BE(0)).toBe(77);
    expect(rcodeOf(response)).toBe(RCODE.NXDOMAIN);
  });

  it('forwards other classes than IN without asking local names', async () => {
    const { forwarder, forward } = fakeForwarder((request) => upstreamResponse(request, { id: 1 }));
    const lookup = vi.fn(() => ({ kind: 'records' as const, records: [] }));
    await ask(query({ name: 'version.bind', type: 'TXT', class: 'CH' }), { names: { lookup } }, forwarder);
    expect(lookup).not.toHaveBeenCalled();
    expect(forward).toHaveBeenCalledOnce();
  });

  it('answers SERVFAIL when the forwarder has no answer or fails', async () => {
    expect(rcodeOf(await ask(query({ name: 'example.com' }), {}, fakeForwarder(() => undefined).forwarder))).toBe(RCODE.SERVFAIL);
    const throwing = fakeForwarder(() => { throw new Error('boom'); }).forwarder;
    expect(rcodeOf(await ask(query({ name: 'example.com' }), {}, throwing))).toBe(RCODE.SERVFAIL);
  });

  it('answers SERVFAIL at once when the in-flight limit is reached', async () => {
    const { forwarder, forward } = fakeForwarder(() => undefined, 3);
    const handler = createQueryHandler({ forwarder, maxInFlight: 3 });
    const response = await handler.handle(query({ name: 'example.com', id: 11 }), context());
    expect(response?.readUInt16BE(0)).toBe(11);
    expect(response && rcodeOf(response)).toBe(RCODE.SERVFAIL);
    expect(forward).not.toHaveBeenCalled();
  });
});

describe('size limits', () => {
  it('truncates a local UDP answer over 512 bytes without EDNS: TC, question kept, no records', async () => {
    const response = await ask(query({ name: 'Many.net1', id: 3 }));
    expect(response.length).toBeLessThanOrEqual(512);
    expect(flagsOf(response).tc).toBe(true);
    const decoded = dnsPacket.decode(response);
    expect(decoded.id).toBe(3);
    expect(decoded.questions).toEqual([{ name: 'Many.net1', type: 'A', class: 'IN' }]);
    expect([decoded.answers, decoded.authorities, decoded.additionals]).toEqual([[], [], []]);
  });

  it('fits the same answer in the EDNS size, keeping OPT, and truncates past it', async () => {
    const fits = await ask(query({ name: 'many.net1', opt: { udpPayloadSize: 4096 } }));
    expect(flagsOf(fits).tc).toBe(false);
    expect(dnsPacket.decode(fits).answers).toHaveLength(60);
    const truncated = await ask(query({ name: 'huge.net1', opt: { udpPayloadSize: 4096 } }));
    expect(flagsOf(truncated).tc).toBe(true);
    expect(dnsPacket.decode(truncated).additionals).toMatchObject([{ type: 'OPT' }]);
  });

  it('treats an advertised size under 512 as 512', async () => {
    const response = await ask(query({ name: 'v4only.net1', opt: { udpPayloadSize: 20 } }));
    expect(flagsOf(response).tc).toBe(false);
    expect(dnsPacket.decode(response).answers).toHaveLength(1);
  });

  it('does not truncate over TCP below 65535 bytes', async () => {
    const response = await ask(query({ name: 'huge.net1' }), { transport: 'tcp' });
    expect(response.length).toBeGreaterThan(4096);
    expect(flagsOf(response).tc).toBe(false);
    expect(dnsPacket.decode(response).answers).toHaveLength(2000);
  });

  it('truncates a forwarded UDP response over the limit, keeping its rcode and the OPT', async () => {
    const answers: Answer[] = Array.from({ length: 40 }, (_, index) => ({ type: 'A', name: 'big.example', ttl: 60, data: `192.0.2.${index}` }));
    const { forwarder } = fakeForwarder((request) => upstreamResponse(request, { id: 1, answers }));
    const plain = await ask(query({ name: 'big.example', id: 21 }), {}, forwarder);
    expect(flagsOf(plain).tc).toBe(true);
    expect(plain.readUInt16BE(0)).toBe(21);
    expect(dnsPacket.decode(plain).answers).toEqual([]);
    const withEdns = await ask(query({ name: 'big.example', opt: { udpPayloadSize: 600 } }), {}, forwarder);
    expect(flagsOf(withEdns).tc).toBe(true);
    expect(dnsPacket.decode(withEdns).additionals).toMatchObject([{ type: 'OPT' }]);
    const large = await ask(query({ name: 'big.example', opt: { udpPayloadSize: 1232 } }), {}, forwarder);
    expect(flagsOf(large).tc).toBe(false);
    expect(dnsPacket.decode(large).answers).toHaveLength(40);
  });
});
