import { existsSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** The built daemon and CLI (scripts/setup builds them); found from src/lab or dist/src/lab. */
function built(relative: string): string {
  const fromSource = new URL(`../../dist/src/${relative}`, import.meta.url).pathname;
  return existsSync(fromSource) ? fromSource : new URL(`../${relative}`, import.meta.url).pathname;
}
export const BERTHD = built('daemon/main.js');
export const BERTH = built('cli/main.js');

/** One JSON request to a berthd API on a unix socket; the body is parsed when it is JSON. */
export function unixApi(socketPath: string, init: { readonly method: string; readonly path: string; readonly body?: unknown }): Promise<{ status: number; body: unknown; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const payload = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body));
    const req = request({ socketPath, method: init.method, path: init.path, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
