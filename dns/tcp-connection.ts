/**
 * DNS over one TCP connection (RFC 1035 4.2.2, RFC 7766): 2-byte length-prefixed messages, any
 * number per connection, pipelined, answered as each finishes (RFC 7766 6.2.1.1 allows any order).
 */
import type { Socket } from 'node:net';

/** How one connection is served. */
export interface TcpConnectionOptions {
  /** Answers one query; undefined sends nothing back for it. */
  readonly handle: (query: Buffer) => Promise<Buffer | undefined>;
  /** Closes a connection with nothing in flight after this long without traffic (RFC 7766 6.2.3: seconds, not minutes). */
  readonly idleTimeoutMs?: number;
  /** Largest query accepted; a longer length prefix closes the connection. */
  readonly maxQueryBytes?: number;
  /** Queries of this connection being answered at once; reading pauses past it. */
  readonly maxPending?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
/**
 * A query is one question plus perhaps an OPT record with a few options: a few hundred bytes.
 * 4 KiB leaves room for large EDNS options while bounding what one client makes us buffer.
 */
const DEFAULT_MAX_QUERY_BYTES = 4096;
const DEFAULT_MAX_PENDING = 64;
const PREFIX_BYTES = 2;
const MAX_MESSAGE_BYTES = 65_535;

/**
 * Serves queries on `socket` until the client closes it, sends a zero-length message, sends an
 * oversized one, errors, or stays idle. Reading pauses while `maxPending` answers are outstanding
 * or the client is not reading its answers, so buffered input stays within one read chunk plus
 * one query, and a client cannot make us queue unbounded work.
 */
export function serveTcpConnection(socket: Socket, options: TcpConnectionOptions): void {
  const maxQueryBytes = options.maxQueryBytes ?? DEFAULT_MAX_QUERY_BYTES;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let buffered: Buffer = Buffer.alloc(0);
  let pending = 0;
  /** No more queries are read; the connection ends once the outstanding answers are written. */
  let closing = false;
  let waitingForDrain = false;

  const endWhenIdle = (): void => {
    if (closing && pending === 0 && !socket.destroyed) socket.end();
  };
  const updateFlow = (): void => {
    if (closing || socket.destroyed) return;
    if (pending >= maxPending || waitingForDrain) socket.pause();
    else socket.resume();
  };
  const stopReading = (): void => {
    closing = true;
    buffered = Buffer.alloc(0);
    endWhenIdle();
  };

  const answer = (query: Buffer): void => {
    pending += 1;
    options.handle(query).then(
      (response) => send(response),
      () => undefined,
    ).finally(() => {
      pending -= 1;
      // A dropped query writes nothing, which would leave the idle timer disarmed after it fired.
      if (pending === 0 && !socket.destroyed) socket.setTimeout(idleTimeoutMs);
      readMessages();
      endWhenIdle();
    });
  };
  const send = (response: Buffer | undefined): void => {
    if (response === undefined || response.length > MAX_MESSAGE_BYTES || socket.destroyed || !socket.writable) return;
    const prefix = Buffer.alloc(PREFIX_BYTES);
    prefix.writeUInt16BE(response.length, 0);
    if (!socket.write(Buffer.concat([prefix, response]))) {
      waitingForDrain = true;
      updateFlow();
    }
  };

  const readMessages = (): void => {
    while (!closing && pending < maxPending && buffered.length >= PREFIX_BYTES) {
      const length = buffered.readUInt16BE(0);
      // A zero-length message cannot be a query: treat it as the client saying goodbye.
      if (length === 0) return stopReading();
      if (length > maxQueryBytes) {
        socket.destroy();
        return;
      }
      if (buffered.length < PREFIX_BYTES + length) return;
      // Copy, so a small query does not pin the whole chunk it arrived in.
      const query = Buffer.from(buffered.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
      buffered = buffered.subarray(PREFIX_BYTES + length);
      answer(query);
    }
    updateFlow();
  };

  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    readMessages();
  });
  socket.on('drain', () => {
    waitingForDrain = false;
    updateFlow();
  });
  // The client half-closed: answer what it already sent, then close our side.
  socket.on('end', stopReading);
  socket.on('timeout', () => {
    // A slow upstream is not an idle client: only a connection with nothing in flight times out.
    if (pending === 0) socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  socket.setTimeout(idleTimeoutMs);
}
