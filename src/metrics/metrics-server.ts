import { chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { MetricsAddress } from './metrics-address.js';

/** What the server exposes: Prometheus text and its content type (BerthMetrics fits). */
export interface MetricsSource {
  scrape(): Promise<{ readonly contentType: string; readonly text: string }>;
}

/** Serves `GET /metrics` (Prometheus text) on `address`; everything else is 404. Resolves once listening. */
export async function serveMetrics(options: { readonly source: MetricsSource; readonly address: MetricsAddress }): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://berth').pathname;
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    options.source.scrape().then(({ contentType, text }) => {
      response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) }).end(request.method === 'HEAD' ? undefined : text);
    }, (error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`scrape failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  const { address } = options;
  if (address.kind === 'unix') rmSync(address.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (address.kind === 'unix') server.listen(address.path, done);
    else server.listen(address.port, address.host, done);
  });
  if (address.kind === 'unix') chmodSync(address.path, 0o660);
  return server;
}
