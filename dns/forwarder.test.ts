import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketOps } from '../src/kernel/index.js';
import type { Forwarder, Upstream } from './dns-types.js';
import { createForwarder } from './forwarder.js';

const LOOPBACK = '127.0.0.1';
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

/** What a fake upstream does with a query: bytes to send back, or nothing. */
type Reply = (query: DecodedPacket, from: RemoteInfo | undefined) => Buffer | undefined;

interface FakeUpstream extends Upstream {
  readonly udpQueries: DecodedPacket[];
  readonly tcpQueries: DecodedPacket[];
  readonly udp: UdpSocket;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Sockets only needed for upstreams in a namespace; these tests use none unless they say so. */
const noSockets: SocketOps = {
  udpSocketIn: () => { throw new Error('no namespace sockets in this test'); },
  tcpListenerIn: () => { throw new Error('unused'); },
  sendGratuitousArp: () => undefined,
  reservePort: () => { throw new Error('unused'); },
  releasePort: () => undefined,
};

function forwarder(timeoutMs: number): Forwarder {
  const created = createForwarder({ sockets: noSockets, timeoutMs });
  cleanups.push(() => created.close());
  return created;
}

function response(query: DecodedPacket, options: { rcode?: number; flags?: number; answers?: Answer[] } = {}): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.RECURSION_AVAILABLE | (options.flags ?? 0) | (options.rcode ?? 0),
    questions: query.questions ?? [],
    answers: options.answers ?? [],
  });
}

function answerWith(address: string): Reply {
  return (query) => response(query, { answers: [{ type: 'A', name: query.questions?.[0]?.name ?? '.', ttl: 60, data: address }] });
}

/** A DNS server on 127.0.0.1 with UDP and TCP on one random port. */
async function startUpstream(behaviour: { udp?: Reply; tcp?: Reply }): Promise<FakeUpstream> {
  const udp = createSocket('udp4');
  udp.bind(0, LOOPBACK);
  await once(udp, 'listening');
  const { port } = udp.address();
  const udpQueries: DecodedPacket[] = [];
  const tcpQueries: DecodedPacket[] = [];
  udp.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    udpQueries.push(query);
    const reply = behaviour.udp?.(query, from);
    if (reply !== undefined) udp.send(reply, from.port, from.address);
  });
  const connections = new Set<Socket>();
  const tcp: Server = createServer((connection) => {
    connections.add(connection);
    connection.on('error', () => undefined);
    connection.on('data', (chunk: Buffer) => {
      const query = dnsPacket.decode(chunk.subarray(2, 2 + chunk.readUInt16BE(0)));
      tcpQueries.push(query);
      const reply = behaviour.tcp?.(query, undefined);
      if (reply === undefined) return;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length, 0);
      // Split the answer in two writes, as a real stream may deliver it.
      connection.write(Buffer.concat([prefix, reply.subarray(0, 5)]));
      setTimeout(() => connection.write(reply.subarray(5)), 5);
    });
  });
  tcp.listen(port, LOOPBACK);
  await once(tcp, 'listening');
  cleanups.push(async () => {
    udp.close();
    for (const connection of connections) connection.destroy();
    await new Promise((resolve) => tcp.close(resolve));
  });
  return { ip: LOOPBACK, port, udpQueries, tcpQueries, udp };
}

/** A port nothing listens on: bound, read, closed. */
async function deadUpstream(): Promise<Upstream> {
  const socket = createSocket('udp4');
  socket.bind(0, LOOPBACK);
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return { ip: LOOPBACK, port };
}

function query(name: string, id = 0x4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
}

function addressesIn(bytes: Buffer | undefined): unknown[] {
  if (bytes === undefined) return [];
  return (dnsPacket.decode(bytes).answers ?? []).map((answer) => ('data' in answer ? answer.data : undefined));
}

describe('forwarder', () => {
  it('forwards over UDP with a fresh id and restores the client id', async () => {
    const upstream = await startUpstream({ udp: answerWith('192.0.2.1') });
    const answer = await forwarder(2000).forward(query('example.com', 0x0102), { transport: 'udp', upstreams: [upstream] });
    expect(answer?.readUInt16BE(0)).toBe(0x0102);
    expect(addressesIn(answer)).toEqual(['192.0.2.1']);
    expect(upstream.udpQueries).toHaveLength(1);
    expect(upstream.tcpQueries).toHaveLength(0);
  });

  it('returns NXDOMAIN as an answer, without trying the next upstream', async () => {
    const first = await startUpstream({ udp: (asked) => response(asked, { rcode: RCODE_NXDOMAIN }) });
    const second = await startUpstream({ udp: answerWith('192.0.2.2') });
    const answer = await forwarder(2000).forward(query('nowhere.example'), { transport: 'udp', upstreams: [first, second] });
    expect(answer && answer.readUInt16BE(2) & 0xf).toBe(RCODE_NXDOMAIN);
    expect(second.udpQueries).toHaveLength(0);
  });

  it('retries the same upstream over TCP when the UDP answer is truncated', async () => {
    const upstream = await startUpstream({
      udp: (asked) => response(asked, { flags: dnsPacket.TRUNCATED_RESPONSE }),
      tcp: answerWith('192.0.2.3'),
    });
    const answer = await forwarder(2000).forward(query('big.example', 7), { transport: 'udp', upstreams: [upstream] });
    expect(answer?.readUInt16BE(0)).toBe(7);
    expect(addressesIn(answer)).toEqual(['192.0.2.3']);
    expect([upstream.udpQueries.length, upstream.tcpQueries.length]).toEqual([1, 1]);
  });

  it('asks over TCP straight away for a TCP client', async () => {
    const upstream = await startUpstream({ tcp: answerWith('192.0.2.4') });
    const answer = await forwarder(2000).forward(query('example.com', 8), { transport: 'tcp', upstreams: [upstream] });
    expect(answer?.readUInt16BE(0)).toBe(8);
    expect(addressesIn(answer)).toEqual(['192.0.2.4']);
    expect(upstream.udpQueries).toHaveLength(0);
  });

  it('moves to the second upstream when the first is dead, within the budget', async () => {
    const second = await startUpstream({ udp: answerWith('192.0.2.5') });
    const started = Date.now();
    const answer = await forwarder(300).forward(query('example.com'), { transport: 'udp', upstreams: [await deadUpstream(), second] });
    expect(addressesIn(answer)).toEqual(['192.0.2.5']);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('moves to the next upstream on SERVFAIL', async () => {
    const first = await startUpstream({ udp: (asked) => response(asked, { rcode: RCODE_SERVFAIL }) });
    const second = await startUpstream({ udp: answerWith('192.0.2.6') });
    const answer = await forwarder(2000).forward(query('example.com'), { transport: 'udp', upstreams: [first, second] });
    expect(addressesIn(answer)).toEqual(['192.0.2.6']);
    expect(first.udpQueries).toHaveLength(1);
  });

  it('skips an upstream whose namespace socket cannot be opened', async () => {
    const second = await startUpstream({ udp: answerWith('192.0.2.7') });
    const inGoneNamespace = { ip: LOOPBACK, port: 53, netns: { path: '/run/berth/netns/gone' } };
    const answer = await forwarder(2000).forward(query('example.com'), { transport: 'udp', upstreams: [inGoneNamespace, second] });
    expect(addressesIn(answer)).toEqual(['192.0.2.7']);
  });

  it('gives up with undefined within the timeout when every upstream is dead or failing', async () => {
    const failing = await startUpstream({ udp: (asked) => response(asked, { rcode: RCODE_SERVFAIL }) });
    const started = Date.now();
    const answer = await forwarder(300).forward(query('example.com'), { transport: 'udp', upstreams: [await deadUpstream(), await deadUpstream(), failing] });
    expect(answer).toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(450);
  });

  it('uses at most three upstreams', async () => {
    const dead = await deadUpstream();
    const fourth = await startUpstream({ udp: answerWith('192.0.2.8') });
    const answer = await forwarder(150).forward(query('example.com'), { transport: 'udp', upstreams: [dead, dead, dead, fourth] });
    expect(answer).toBeUndefined();
    expect(fourth.udpQueries).toHaveLength(0);
  });

  it('ignores a spoofed response from the wrong port and one repeating another question', async () => {
    const spoofer = createSocket('udp4');
    spoofer.bind(0, LOOPBACK);
    await once(spoofer, 'listening');
    cleanups.push(() => {
      spoofer.close();
    });
    const real = answerWith('192.0.2.9');
    const holder: { socket?: UdpSocket } = {};
    const upstream = await startUpstream({
      udp: (asked, from) => {
        const upstreamSocket = holder.socket;
        if (from === undefined || upstreamSocket === undefined) return undefined;
        const fake = answerWith('6.6.6.6')(asked, from);
        if (fake !== undefined) spoofer.send(fake, from.port, from.address);
        const otherQuestion = answerWith('7.7.7.7')({ ...asked, questions: [{ name: 'other.example', type: 'A' }] }, from);
        if (otherQuestion !== undefined) upstreamSocket.send(otherQuestion, from.port, from.address);
        const answer = real(asked, from);
        if (answer !== undefined) setTimeout(() => upstreamSocket.send(answer, from.port, from.address), 30);
        return undefined;
      },
    });
    holder.socket = upstream.udp;
    const answer = await forwarder(2000).forward(query('example.com'), { transport: 'udp', upstreams: [upstream] });
    expect(addressesIn(answer)).toEqual(['192.0.2.9']);
  });

  it('accepts the question in another case (0x20 randomisation by the upstream)', async () => {
    const upstream = await startUpstream({ udp: (asked, from) => answerWith('192.0.2.10')({ ...asked, questions: [{ name: 'EXAMPLE.com', type: 'A', class: 'IN' }] }, from) });
    const answer = await forwarder(2000).forward(query('example.com'), { transport: 'udp', upstreams: [upstream] });
    expect(addressesIn(answer)).toEqual(['192.0.2.10']);
  });

  it('counts queries in flight and resolves them with undefined on close()', async () => {
    const silent = await startUpstream({});
    const created = createForwarder({ sockets: noSockets, timeoutMs: 10_000 });
    const pending = [
      created.forward(query('a.example'), { transport: 'udp', upstreams: [silent] }),
      created.forward(query('b.example'), { transport: 'tcp', upstreams: [silent] }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(created.inFlight).toBe(2);
    const started = Date.now();
    created.close();
    expect(await Promise.all(pending)).toEqual([undefined, undefined]);
    expect(Date.now() - started).toBeLessThan(100);
    expect(created.inFlight).toBe(0);
    expect(await created.forward(query('c.example'), { transport: 'udp', upstreams: [silent] })).toBeUndefined();
  });
});
