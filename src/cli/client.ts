import { request } from 'node:http';

/** Where the daemon listens: `unix:///path` or `tcp://host:port`. */
export interface DaemonAddress {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly text: string;
}

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

export function parseHost(text: string): DaemonAddress {
  if (text.startsWith('unix://')) return { socketPath: text.slice('unix://'.length), text };
  const match = /^tcp:\/\/([^:/]+):(\d+)$/.exec(text);
  if (match?.[1] !== undefined) return { host: match[1], port: Number(match[2]), text };
  throw new CliError(`invalid --host ${JSON.stringify(text)}: use unix:///path or tcp://host:port`);
}

/** An error to print as is (exit status 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

/** Talks HTTP/1.1 to berthd; a non-2xx reply becomes "Error response from daemon: <message>" as docker prints it. */
export class ApiClient {
  readonly #address: DaemonAddress;

  constructor(address: DaemonAddress) {
    this.#address = address;
  }

  call(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...(this.#address.socketPath === undefined ? { host: this.#address.host, port: this.#address.port } : { socketPath: this.#address.socketPath }),
          method,
          path,
          headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            if (res.headers['content-type'] === 'application/json' && text !== '') parsed = JSON.parse(text) as unknown;
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const hint = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? ' — is berthd running? (start it, or point --host / BERTH_HOST at it)' : '';
        reject(new CliError(`cannot reach berthd at ${this.#address.text}: ${error.code ?? error.message}${hint}`));
      });
      req.end(payload);
    });
  }

  /** Like `call`, but throws the daemon's message on a non-2xx status. */
  async ok(method: string, path: string, body?: unknown): Promise<unknown> {
    const reply = await this.call(method, path, body);
    if (reply.status >= 300) {
      const message = typeof reply.body === 'object' && reply.body !== null && 'message' in reply.body ? String(reply.body.message) : String(reply.body);
      throw new CliError(`Error response from daemon: ${message}`);
    }
    return reply.body;
  }
}
