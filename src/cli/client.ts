import { request } from 'node:http';
import { showProgress } from './progress.js';

/** Where the daemon listens: `unix:///path` or `tcp://host:port`. */
export interface DaemonAddress {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly text: string;
}

/** berthd's default socket. */
export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

/** The API version the CLI asks for in every path (`/v1.44/...`). */
export const CLIENT_API_VERSION = '1.44';

/** An error to print as is (exit status 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Parses `--host` / BERTH_HOST. */
export function parseHost(text: string): DaemonAddress {
  if (text.startsWith('unix://') && text.length > 'unix://'.length) return { socketPath: text.slice('unix://'.length), text };
  const match = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(text);
  if (match?.[1] !== undefined) return { host: match[1], port: Number(match[2]), text };
  throw new CliError(`invalid --host ${JSON.stringify(text)}: use unix:///path or tcp://host:port`);
}

/** A daemon reply: status and body (parsed when it is application/json). */
export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType !== 'application/json' || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function daemonMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  return typeof body === 'string' ? body.trim() : JSON.stringify(body);
}

/** Talks HTTP/1.1 to berthd; a non-2xx reply becomes "Error response from daemon: <message>" as docker prints it. */
export class ApiClient {
  readonly #address: DaemonAddress;

  constructor(address: DaemonAddress) {
    this.#address = address;
  }

  /** One request; rejects only when the daemon cannot be reached. */
  call(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const target = this.#address.socketPath === undefined ? { host: this.#address.host, port: this.#address.port } : { socketPath: this.#address.socketPath };
    // Only mutating requests can take long (reset, prune, overlay joins); reads stay silent.
    const stop = method === 'GET' ? () => undefined : showProgress(`${method} ${path.split('?')[0] ?? path}`);
    const pending = new Promise<ApiReply>((resolve, reject) => {
      const headers = payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': payload.length };
      const req = request({ ...target, method, path: `/v${CLIENT_API_VERSION}${path}`, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type']) }));
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const hint = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? ' — is berthd running? (start berthd, or point --host / BERTH_HOST at its socket)' : '';
        reject(new CliError(`cannot reach berthd at ${this.#address.text}: ${error.code ?? error.message}${hint}`));
      });
      req.end(payload);
    });
    return pending.finally(stop);
  }

  /**
   * A streaming GET (`/events`): `onLine` gets each newline-terminated line as it arrives;
   * resolves when the daemon ends the stream. A non-2xx status throws the daemon's message.
   */
  stream(path: string, onLine: (line: string) => void): Promise<void> {
    const target = this.#address.socketPath === undefined ? { host: this.#address.host, port: this.#address.port } : { socketPath: this.#address.socketPath };
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method: 'GET', path: `/v${CLIENT_API_VERSION}${path}` }, (res) => {
        let pending = '';
        const failed = (res.statusCode ?? 0) >= 300;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          if (failed) return;
          let newline = pending.indexOf('\n');
          while (newline !== -1) {
            onLine(pending.slice(0, newline));
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
          }
        });
        res.on('end', () => {
          if (failed) reject(new CliError(`Error response from daemon: ${daemonMessage(parseBody(pending, res.headers['content-type']))}`));
          else resolve();
        });
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => reject(new CliError(`cannot reach berthd at ${this.#address.text}: ${error.code ?? error.message}`)));
      req.end();
    });
  }

  /** Like `call`, but throws the daemon's message on a non-2xx status. */
  async ok(method: string, path: string, body?: unknown): Promise<unknown> {
    const reply = await this.call(method, path, body);
    if (reply.status >= 300) throw new CliError(`Error response from daemon: ${daemonMessage(reply.body)}`);
    return reply.body;
  }
}
