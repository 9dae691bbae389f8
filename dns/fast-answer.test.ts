import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { fastLocalAnswer } from './fast-answer.js';
import { createQueryHandler } from './query-handler.js';
import { NameRegistry } from './name-registry.js';
import type { Forwarder, QueryContext } from './dns-types.js';

const SANDBOX = 's'.repeat(64);
const names = new NameRegistry();
names.put({ endpointId: 'e1', networkId: 'n1', networkName: 'front', sandboxId: SANDBOX, sandboxName: 'web', aliases: ['www'], ipv4: '10.1.0.2', ipv6: 'fd00:1::2' });
names.put({ endpointId: 'e2', networkId: 'n1', networkName: 'front', sandboxId: 'x'.repeat(64), sandboxName: 'db', aliases: [], ipv4: '10.1.0.3' });
// 60 sandboxes sharing one alias: more than 512 bytes of answers.
for (let index = 0; index < 60; index += 1) {
  names.put({ endpointId: `m${index}`, networkId: 'n1', networkName: 'front', sandboxId: `${index}`.padStart(64, 'm'), sandboxName: `many${index}`, aliases: ['crowd'], ipv4: `10.1.1.${index + 1}` });
}
const forwarder: Forwarder = { forward: () => Promise.resolve(undefined), inFlight: 0, close: () => undefined };
const handler = createQueryHandler({ forwarder });

function context(transport: 'udp' | 'tcp'): QueryContext {
  return { transport, names: names.namesFor(SANDBOX), upstreams: [], ttl: 600 };
}

function sortedAnswers(packet: DecodedPacket): string[] {
  return (packet.answers ?? []).map((answer) => JSON.stringify(answer)).sort();
}

describe('fast local answers', () => {
  test('agree with the full query handler for plain A/AAAA queries (random names, case, EDNS sizes, transports)', async () => {
    const name = fc.constantFrom('web', 'WEB', 'Web.Front', 'www', 'db', 'crowd', 'nope', 'web.back', `${SANDBOX.slice(0, 12)}`);
    let compared = 0;
    const edns = fc.option(fc.record({ size: fc.integer({ min: 0, max: 65535 }), dnssecOk: fc.boolean() }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.record({ qname: name, type: fc.constantFrom('A', 'AAAA', 'MX'), opt: edns, transport: fc.constantFrom('udp', 'tcp'), rd: fc.boolean() }), async ({ qname, type, opt, transport, rd }) => {
        const query = dnsPacket.encode({
          id: 4242, type: 'query', flags: rd ? dnsPacket.RECURSION_DESIRED : 0, questions: [{ type, name: qname, class: 'IN' }],
          additionals: opt === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: opt.size, extendedRcode: 0, ednsVersion: 0, flags: opt.dnssecOk ? 0x8000 : 0, flag_do: opt.dnssecOk, options: [] }],
        });
        const fast = fastLocalAnswer(query, context(transport));
        const full = await handler.handle(query, context(transport));
        if (fast === undefined) return;
        compared += 1;
        expect(full).toBeDefined();
        const [a, b] = [dnsPacket.decode(fast), dnsPacket.decode(full ?? Buffer.alloc(0))];
        expect({ ...a, answers: sortedAnswers(a) }).toEqual({ ...b, answers: sortedAnswers(b) });
      }),
      { seed: 20261125, numRuns: 600 },
    );
    expect(compared).toBeGreaterThan(150);
  });

  test('leaves everything else to the full handler', () => {
    const plain = (name: string, type: 'A' | 'MX' = 'A'): Buffer => dnsPacket.encode({ id: 1, type: 'query', questions: [{ type, name }] });
    expect(fastLocalAnswer(plain('web'), context('udp'))).toBeDefined();
    expect(fastLocalAnswer(plain('example.com'), context('udp'))).toBeUndefined();
    expect(fastLocalAnswer(plain('web', 'MX'), context('udp'))).toBeUndefined();
    expect(fastLocalAnswer(plain('crowd'), context('udp'))).toBeUndefined();
    expect(fastLocalAnswer(plain('crowd'), context('tcp'))).toBeDefined();
    const response = Buffer.from(plain('web'));
    response.writeUInt16BE(0x8000, 2);
    expect(fastLocalAnswer(response, context('udp'))).toBeUndefined();
    expect(fastLocalAnswer(Buffer.concat([plain('web'), Buffer.from([0])]), context('udp'))).toBeUndefined();
    expect(fastLocalAnswer(plain('web').subarray(0, 20), context('udp'))).toBeUndefined();
  });
});
