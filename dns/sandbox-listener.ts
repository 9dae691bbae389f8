import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Netns, SocketOps } from '../src/kernel/index.js';
import type { Transport } from './dns-types.js';
import { serveTcpConnection } from './tcp-connection.js';

/** Docker's embedded DNS address; every sandbox has its own, inside its own namespace. */
export const EMBEDDED_DNS_IP = '127.0.0.11';

/** A response at once (fast path), or a promise of one (undefined: drop the query). */
export type QueryCallback = (query: Buffer, transport: Transport) => Buffer | Promise<Buffer | undefined>;

/** The UDP socket and TCP server of one sandbox's resolver. */
export interface SandboxListener {
  close(): void;
}

/**
 * Opens 127.0.0.11:53 (UDP and TCP) inside the sandbox's namespace. The sockets are created
 * there by the kernel layer (setns on this thread, socket, bind, switch back) and then served
 * by this process's event loop, so one daemon serves every sandbox, whatever driver — the host
 * does not need a route to the sandbox (macvlan, overlay).
 */
export function listenInSandbox(options: { readonly sockets: SocketOps; readonly netns: Netns; readonly port?: number; readonly onQuery: QueryCallback; readonly onError: (error: Error) => void }): SandboxListener {
  const address = { ip: EMBEDDED_DNS_IP, port: options.port ?? 53 };
  const udpFd = options.sockets.udpSocketIn(options.netns, address);
  let tcpFd: number;
  try {
    tcpFd = options.sockets.tcpListenerIn(options.netns, address);
  } catch (error) {
    options.sockets.releasePort(udpFd);
    throw error;
  }
  const udp: UdpSocket = createSocket('udp4');
  udp.on('error', options.onError);
  udp.on('message', (query, client) => {
    const result = options.onQuery(query, 'udp');
    if (Buffer.isBuffer(result)) {
      udp.send(result, client.port, client.address);
      return;
    }
    result.then(
      (response) => {
        if (response !== undefined) udp.send(response, client.port, client.address);
      },
      options.onError,
    );
  });
  udp.bind({ fd: udpFd });
  // Open connections hold the namespace too: close() ends them, not only the listener.
  const connections = new Set<Socket>();
  // allowHalfOpen: a client may send its query and shut its side; the answer still goes back.
  const tcp: Server = createServer({ allowHalfOpen: true }, (connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    serveTcpConnection(connection, { handle: async (query) => options.onQuery(query, 'tcp') });
  });
  tcp.on('error', options.onError);
  tcp.listen({ fd: tcpFd });
  return {
    close: () => {
      udp.close();
      tcp.close();
      for (const connection of connections) connection.destroy();
    },
  };
}
