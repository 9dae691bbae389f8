import type { IncomingMessage, ServerResponse } from 'node:http';
import { BerthError } from '../errors/index.js';

/** Reads a request body as JSON (undefined when empty); BAD_REQUEST if malformed, PAYLOAD_TOO_LARGE past `limit`. */
export async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BerthError('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`, { object: 'body' });
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BerthError('BAD_REQUEST', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, { object: 'body' });
  }
}

/** Sends JSON with Docker's exact content type (the CLI parses errors only with it). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** Sends a bodiless answer (204 for deletes, 200 for connect/disconnect). */
export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'Content-Length': 0 });
  response.end();
}
