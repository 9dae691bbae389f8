import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveTcpConnection } from './tcp-connection.js';
import type { TcpConnectionOptions } from './tcp-connection.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client connected to a loopback server serving each connection with `options`. */
interface Client {
  readonly socket: Socket;
  readonly answers: Buffer[];
  /** Resolves when the server closed its side (end or reset). */
  readonly closed: Promise<void>;
  /** Resolves once `count` answers arrived. */
  answered(count: number): Promise<Buffer[]>;
}

async function serve(options: TcpConnectionOptions): Promise<Client> {
  // Half-open allowed, as a DNS listener should: a client may send its query and shut down its side.
  const server = createServer({ allowHalfOpen: true }, (connection) => serveTcpConnection(connection, options));
  const connections = new Set<Socket>();
  server.on('connection', (connection) => connections.add(connection));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, allowHalfOpen: true });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  cleanups.push(async () => {
    socket.destroy();
    for (const connection of connections) connection.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const answers: Buffer[] = [];
  let received = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
      answers.push(received.subarray(2, 2 + received.readUInt16BE(0)));
      received = received.subarray(2 + received.readUInt16BE(0));
    }
    for (const waiter of waiters.splice(0)) waiter();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.on('end', () => resolve());
    socket.on('close', () => resolve());
  });
  const answered = async (count: number): Promise<Buffer[]> => {
    while (answers.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return answers;
  };
  return { socket, answers, closed, answered };
}

function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

const echo = async (query: Buffer): Promise<Buffer> => Buffer.concat([Buffer.from('re:'), query]);

describe('serveTcpConnection', () => {
  it('reassembles a message split across many chunks', async () => {
    const client = await serve({ handle: echo });
    for (const byte of frame('split-query')) {
      client.socket.write(Buffer.from([byte]));
      await sleep(1);
    }
    expect((await client.answered(1)).map(String)).toEqual(['re:split-query']);
  });

  it('answers several messages from one chunk, each as it finishes', async () => {
    const handle = async (query: Buffer): Promise<Buffer> => {
      if (String(query) === 'slow') await sleep(50);
      return echo(query);
    };
    const client = await serve({ handle });
    client.socket.write(Buffer.concat([frame('slow'), frame('one'), frame('two')]));
    expect((await client.answered(3)).map(String)).toEqual(['re:one', 're:two', 're:slow']);
  });

  it('sends nothing for a dropped query and keeps serving', async () => {
    const client = await serve({ handle: async (query) => (String(query) === 'drop' ? undefined : echo(query)) });
    client.socket.write(Buffer.concat([frame('drop'), frame('keep')]));
    expect((await client.answered(1)).map(String)).toEqual(['re:keep']);
  });

  it('closes an idle connection after the idle timeout', async () => {
    const client = await serve({ handle: echo, idleTimeoutMs: 100 });
    client.socket.write(frame('q'));
    await client.answered(1);
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('does not time out while a query is still being answered', async () => {
    const client = await serve({ handle: async (query) => { await sleep(250); return echo(query); }, idleTimeoutMs: 100 });
    client.socket.write(frame('slow'));
    expect((await client.answered(1)).map(String)).toEqual(['re:slow']);
    await client.closed;
  });

  it('closes the connection on a length prefix over the limit without handling it', async () => {
    const handle = vi.fn(echo);
    const client = await serve({ handle, maxQueryBytes: 100 });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(101, 0);
    client.socket.write(prefix);
    await client.closed;
    expect(handle).not.toHaveBeenCalled();
  });

  it('closes after answering what came before a zero-length message', async () => {
    const client = await serve({ handle: async (query) => { await sleep(30); return echo(query); } });
    client.socket.write(Buffer.concat([frame('last'), Buffer.alloc(2), frame('ignored')]));
    await client.closed;
    expect(client.answers.map(String)).toEqual(['re:last']);
  });

  it('answers a client that half-closed after its query', async () => {
    const client = await serve({ handle: async (query) => { await sleep(20); return echo(query); } });
    client.socket.end(frame('bye'));
    await client.closed;
    expect(client.answers.map(String)).toEqual(['re:bye']);
  });

  it('limits the queries answered at once and picks up the rest later', async () => {
    let running = 0;
    let peak = 0;
    const handle = async (query: Buffer): Promise<Buffer> => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(5);
      running -= 1;
      return echo(query);
    };
    const client = await serve({ handle, maxPending: 4 });
    client.socket.write(Buffer.concat(Array.from({ length: 20 }, (_, index) => frame(`q${index}`))));
    expect(await client.answered(20)).toHaveLength(20);
    expect(peak).toBe(4);
  });
});
