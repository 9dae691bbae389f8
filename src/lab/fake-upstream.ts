#!/usr/bin/env node
/**
 * A small upstream DNS server for labs (tests, demo, bench/dns): started inside a lab
 * namespace with `lab.spawn`, it answers A queries from `--record name=ip`, returns 40 A records
 * for names starting with `big.` (more than 512 bytes: UDP answers are truncated, TCP carries
 * them), SERVFAIL for names starting with `fail.`, and NXDOMAIN for everything else. UDP and TCP
 * on the same address. Prints "ready" once both listen.
 *
 *   node dist/src/lab/fake-upstream.js --listen 198.18.0.1:53 --record www.example.test=192.0.2.80 [--delay-ms 0]
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';

const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

interface UpstreamOptions {
  readonly ip: string;
  readonly port: number;
  readonly records: ReadonlyMap<string, string>;
  readonly delayMs: number;
}

function parseArgs(argv: readonly string[]): UpstreamOptions {
  const records = new Map<string, string>();
  let listen = '127.0.0.1:53';
  let delayMs = 0;
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1] ?? ''];
    if (flag === '--listen') listen = value;
    else if (flag === '--record') {
      const [name = '', ip = ''] = value.split('=');
      records.set(name.toLowerCase(), ip);
    } else if (flag === '--delay-ms') delayMs = Number(value);
    else throw new Error(`fake-upstream: unknown flag ${String(flag)}`);
  }
  const at = listen.lastIndexOf(':');
  return { ip: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)), records, delayMs };
}

/** The response to one query, or undefined when it cannot be parsed. */
function answer(query: Buffer, records: ReadonlyMap<string, string>): Buffer | undefined {
  let packet: Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return undefined;
  }
  const question = packet.questions?.[0];
  if (question === undefined) return undefined;
  const name = question.name.toLowerCase();
  const answers: Answer[] = [];
  let rcode = RCODE_NOERROR;
  if (name.startsWith('big.')) {
    for (let index = 1; index <= 40; index += 1) answers.push({ type: 'A', name: question.name, ttl: 60, data: `192.0.2.${index}` });
  } else if (name.startsWith('fail.')) {
    rcode = RCODE_SERVFAIL;
  } else if (records.has(name)) {
    if (question.type === 'A') answers.push({ type: 'A', name: question.name, ttl: 60, data: records.get(name) ?? '' });
  } else {
    rcode = RCODE_NXDOMAIN;
  }
  return dnsPacket.encode({
    // dns-packet encodes the rcode only from the flags' low bits.
    id: packet.id ?? 0, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: [question], answers,
  });
}

function truncatedForUdp(response: Buffer): Buffer {
  if (response.length <= 512) return response;
  const packet = dnsPacket.decode(response);
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const later = (run: () => void): void => {
    if (options.delayMs > 0) setTimeout(run, options.delayMs);
    else run();
  };
  const udp = createSocket(options.ip.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (query, client) => {
    const response = answer(query, options.records);
    if (response !== undefined) later(() => udp.send(truncatedForUdp(response), client.port, client.address));
  });
  const tcp = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const response = answer(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), options.records);
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        if (response === undefined) continue;
        const frame = Buffer.alloc(2 + response.length);
        frame.writeUInt16BE(response.length, 0);
        response.copy(frame, 2);
        later(() => socket.write(frame));
      }
    });
  });
  let listening = 0;
  const ready = (): void => {
    listening += 1;
    if (listening === 2) process.stdout.write('ready\n');
  };
  udp.bind(options.port, options.ip, ready);
  tcp.listen(options.port, options.ip, ready);
}

main();
