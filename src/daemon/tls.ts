/**
 * The API over TCP (`-H tcp://IP:PORT`): TLS with client certificates, always.
 *
 * Docker's `--tlsverify` mode is the only one berthd has: the server presents `--tlscert`/`--tlskey`
 * and accepts a connection only when the client presents a certificate signed by `--tlscacert`.
 * The TLS layer is node:tls; each verified connection is handed to the same HTTP server that
 * serves the unix socket's routes (`emit('connection')`), so both listeners behave alike.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { BerthError } from '../errors/index.js';

/** Paths of the PEM files given by --tlscacert, --tlscert and --tlskey. */
export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A TCP listener; `close()` stops accepting and ends its open connections. */
export interface TlsListener {
  readonly port: number;
  close(): void;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BerthError('INVALID_ARGUMENT', `--${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`, { object: flag });
  }
}

/** Listens on `address:port` with TLS and required, CA-verified client certificates; verified connections go to `server`. */
export async function listenTls(server: Server, options: { readonly address: string; readonly port: number; readonly files: TlsFiles; readonly onClientError?: (error: Error, remote: string) => void }): Promise<TlsListener> {
  const tls = createServer({
    ca: readPem('tlscacert', options.files.ca),
    cert: readPem('tlscert', options.files.cert),
    key: readPem('tlskey', options.files.key),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  const sockets = new Set<TLSSocket>();
  tls.on('secureConnection', (socket: TLSSocket) => {
    // rejectUnauthorized already ended unverified handshakes; this is belt and braces.
    if (!socket.authorized) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    server.emit('connection', socket);
  });
  tls.on('tlsClientError', (error, socket) => options.onClientError?.(error, `${socket.remoteAddress ?? '?'}:${String(socket.remotePort ?? 0)}`));
  await new Promise<void>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen(options.port, options.address, () => {
      tls.off('error', reject);
      resolve();
    });
  });
  const bound = tls.address();
  return {
    port: typeof bound === 'object' && bound !== null ? bound.port : options.port,
    close: () => {
      tls.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
