/**
 * Forwarding to upstream servers: UDP with a fresh id per query on one shared socket per
 * (namespace, family), retry over TCP when an answer comes back truncated, next upstream on
 * SERVFAIL/REFUSED/timeout, everything within one time budget per query.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { SocketOps } from '../src/kernel/index.js';
import type { Forwarder, Transport, Upstream } from './dns-types.js';

/** What a forwarder is built from. */
export interface ForwarderOptions {
  /** Opens sockets inside a sandbox's namespace, for upstreams only reachable from there. */
  readonly sockets: SocketOps;
  /** Budget for one query across all its upstreams and retries (resolv.conf's default timeout is 5 s; clients retry). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 4000;
/** resolv.conf's MAXNS: glibc never uses more than three nameservers either. */
const MAX_UPSTREAMS = 3;
const HEADER_BYTES = 12;
const ID_SPACE = 65_536;
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const RCODE_SERVFAIL = 2;
const RCODE_REFUSED = 5;

/** The question a response must repeat (RFC 5452 9.1): name case-insensitively, type, class. */
interface QuestionKey {
  readonly name: string;
  readonly type: string;
  readonly class: string;
}

interface Attempt {
  readonly upstream: Upstream;
  readonly question: QuestionKey;
  readonly deadline: number;
}

/** One query sent on a shared UDP socket, waiting for its response. */
interface PendingQuery {
  readonly address: string;
  readonly port: number;
  readonly question: QuestionKey;
  readonly finish: (response: Buffer | undefined) => void;
}

/** Builds the daemon's forwarder; one serves every sandbox. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  return new UpstreamForwarder(options);
}

class UpstreamForwarder implements Forwarder {
  private readonly timeoutMs: number;
  private readonly sockets: SocketOps;
  private readonly channels = new Map<string, UdpChannel>();
  /** Aborts of TCP exchanges in progress, so close() leaves no socket behind. */
  private readonly tcpAborts = new Set<() => void>();
  private count = 0;
  private closed = false;

  constructor(options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sockets = options.sockets;
  }

  get inFlight(): number {
    return this.count;
  }

  async forward(query: Buffer, request: { readonly transport: Transport; readonly upstreams: readonly Upstream[] }): Promise<Buffer | undefined> {
    const question = readQuestion(query);
    if (this.closed || question === undefined) return undefined;
    this.count += 1;
    try {
      const deadline = Date.now() + this.timeoutMs;
      const upstreams = request.upstreams.slice(0, MAX_UPSTREAMS);
      for (const [index, upstream] of upstreams.entries()) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        // An even share of what is left, so a dead first server cannot eat the later ones' time.
        const attempt = { upstream, question, deadline: Date.now() + remaining / (upstreams.length - index) };
        const response = await this.ask(query, { attempt, transport: request.transport });
        if (this.closed) return undefined;
        // SERVFAIL and REFUSED say "not from me": another server may know. Any other rcode is an answer.
        if (response !== undefined && !isServerFailure(response)) return response;
      }
      return undefined;
    } catch {
      return undefined;
    } finally {
      this.count -= 1;
    }
  }

  close(): void {
    this.closed = true;
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    for (const abort of [...this.tcpAborts]) abort();
  }

  /**
   * One upstream, UDP first unless the client came over TCP. TCP needs `connect` inside the
   * namespace, which the kernel layer does not offer, so upstreams with `netns` get UDP only: a
   * truncated answer goes back as it is and the client retries over TCP, getting UDP again.
   */
  private async ask(query: Buffer, request: { readonly attempt: Attempt; readonly transport: Transport }): Promise<Buffer | undefined> {
    const { attempt } = request;
    const tcpPossible = attempt.upstream.netns === undefined;
    if (request.transport === 'tcp' && tcpPossible) return this.askOverTcp(query, attempt);
    let channel: UdpChannel;
    try {
      channel = this.channel(attempt.upstream);
    } catch {
      // The namespace is gone or the socket could not be opened: this upstream cannot be asked.
      return undefined;
    }
    const response = await channel.ask(query, attempt);
    if (response === undefined || (response.readUInt16BE(2) & FLAG_TC) === 0 || !tcpPossible || this.closed) return response;
    // A truncated answer is still better than none if TCP fails.
    return (await this.askOverTcp(query, attempt)) ?? response;
  }

  private channel(upstream: Upstream): UdpChannel {
    const family = isIPv6(upstream.ip) ? 6 : 4;
    const key = `${upstream.netns?.path ?? ''}|${family}`;
    let channel = this.channels.get(key);
    if (channel === undefined) {
      const socket = openUdpSocket({ sockets: this.sockets, upstream, family });
      const created: UdpChannel = new UdpChannel(socket, () => {
        if (this.channels.get(key) === created) this.channels.delete(key);
      });
      this.channels.set(key, created);
      channel = created;
    }
    return channel;
  }

  /** One query on its own connection (RFC 7766 allows reuse; a short-lived one is simpler and rare enough). */
  private askOverTcp(query: Buffer, attempt: Attempt): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const id = randomInt(ID_SPACE);
      const socket = connect({ host: attempt.upstream.ip, port: attempt.upstream.port });
      let received: Buffer = Buffer.alloc(0);
      const finish = (response: Buffer | undefined): void => {
        if (!this.tcpAborts.delete(abort)) return;
        clearTimeout(timer);
        socket.destroy();
        resolve(response);
      };
      const abort = (): void => finish(undefined);
      const timer = setTimeout(abort, Math.max(0, attempt.deadline - Date.now()));
      timer.unref();
      this.tcpAborts.add(abort);
      socket.on('error', abort);
      socket.on('close', abort);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
        const response = received.subarray(2, 2 + received.readUInt16BE(0));
        finish(isResponseTo(response, { id, question: attempt.question }) ? withId(response, query.readUInt16BE(0)) : undefined);
      });
      const framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      withId(query, id).copy(framed, 2);
      socket.write(framed);
    });
  }
}

/** The daemon's own socket, or one opened inside the upstream's namespace by the kernel layer. */
function openUdpSocket(request: { readonly sockets: SocketOps; readonly upstream: Upstream; readonly family: 4 | 6 }): UdpSocket {
  const { netns } = request.upstream;
  const anyAddress = request.family === 6 ? '::' : '0.0.0.0';
  const fd = netns === undefined ? undefined : request.sockets.udpSocketIn(netns, { ip: anyAddress, port: 0 });
  const socket = createSocket(request.family === 6 ? 'udp6' : 'udp4');
  socket.bind(fd === undefined ? { port: 0, address: anyAddress } : { fd });
  return socket;
}

/**
 * One unconnected UDP socket shared by many queries. Each query gets a random id not in use on
 * this socket and a response counts only when it comes from the address and port asked and repeats
 * the question (RFC 5452 9.1), so a spoofer has to guess the id, the source port and the question.
 */
class UdpChannel {
  private readonly pending = new Map<number, PendingQuery>();
  private closed = false;

  constructor(
    private readonly socket: UdpSocket,
    private readonly onClose: () => void,
  ) {
    socket.on('message', (message, remote) => this.receive(message, remote));
    // A broken socket fails its queries now; the next query opens a new one.
    socket.on('error', () => this.close());
  }

  ask(query: Buffer, attempt: Attempt): Promise<Buffer | undefined> {
    const id = this.freshId();
    if (id === undefined || this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (response: Buffer | undefined): void => {
        if (this.pending.get(id)?.finish !== finish) return;
        this.pending.delete(id);
        clearTimeout(timer);
        resolve(response === undefined ? undefined : withId(response, query.readUInt16BE(0)));
      };
      const timer = setTimeout(() => finish(undefined), Math.max(0, attempt.deadline - Date.now()));
      timer.unref();
      const { ip, port } = attempt.upstream;
      this.pending.set(id, { address: canonicalIp(ip), port, question: attempt.question, finish });
      this.socket.send(withId(query, id), port, ip, (error) => {
        // Unreachable networks and the like fail at once rather than at the timeout.
        if (error) finish(undefined);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    for (const pending of [...this.pending.values()]) pending.finish(undefined);
    try {
      this.socket.close();
    } catch {
      // Already closed (an error closed it first).
    }
  }

  private receive(message: Buffer, remote: RemoteInfo): void {
    if (message.length < HEADER_BYTES) return;
    const id = message.readUInt16BE(0);
    const pending = this.pending.get(id);
    if (pending === undefined || remote.port !== pending.port || canonicalIp(remote.address) !== pending.address) return;
    if (!isResponseTo(message, { id, question: pending.question })) return;
    pending.finish(message);
  }

  private freshId(): number | undefined {
    if (this.pending.size >= ID_SPACE) return undefined;
    for (let tries = 0; tries < 64; tries += 1) {
      const id = randomInt(ID_SPACE);
      if (!this.pending.has(id)) return id;
    }
    const start = randomInt(ID_SPACE);
    for (let step = 0; step < ID_SPACE; step += 1) {
      const id = (start + step) % ID_SPACE;
      if (!this.pending.has(id)) return id;
    }
    return undefined;
  }
}

/**
 * The question of a message, read with dns-packet from a copy whose answer, authority and
 * additional counts are zeroed: only the header and question are decoded, so a record dns-packet
 * cannot parse later in a valid response does not make us drop it.
 */
function readQuestion(message: Buffer): QuestionKey | undefined {
  // One question, as we only forward such queries; this also keeps dns-packet from allocating an
  // array of 65535 entries for a hostile count before reading anything.
  if (message.length < HEADER_BYTES || message.readUInt16BE(4) !== 1) return undefined;
  const head = Buffer.from(message);
  head.fill(0, 6, HEADER_BYTES);
  try {
    const question = dnsPacket.decode(head).questions?.[0];
    if (question === undefined) return undefined;
    return { name: question.name.toLowerCase(), type: question.type, class: question.class ?? 'IN' };
  } catch {
    return undefined;
  }
}

function isResponseTo(message: Buffer, expected: { readonly id: number; readonly question: QuestionKey }): boolean {
  if (message.length < HEADER_BYTES || message.readUInt16BE(0) !== expected.id || (message.readUInt16BE(2) & FLAG_QR) === 0) return false;
  const question = readQuestion(message);
  return question !== undefined && question.name === expected.question.name && question.type === expected.question.type && question.class === expected.question.class;
}

function isServerFailure(response: Buffer): boolean {
  const rcode = response.readUInt16BE(2) & 0xf;
  return rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED;
}

function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

/** IPv6 has many spellings; compare the one the WHATWG URL parser prints, which is what rinfo uses (RFC 5952). */
function canonicalIp(ip: string): string {
  if (!isIPv6(ip)) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
