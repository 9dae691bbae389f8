import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer, listenUnix } from '../../src/api/index.js';
import type { SandboxRunner, SandboxStatus } from '../../src/api/index.js';
import { FakeController } from '../support/fake-controller.js';

/** One HTTP exchange as a test sees it. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when empty). */
  readonly json: unknown;
}

/** A SandboxRunner that records calls; `exit` finishes a process with a code. */
export class FakeRunner implements SandboxRunner {
  readonly processes = new Map<string, { status: SandboxStatus; command: readonly string[] }>();
  readonly stopped: string[] = [];
  failStart: Error | undefined;
  #pid = 1000;

  start(sandboxId: string, command: readonly string[]): Promise<{ pid: number }> {
    if (this.failStart !== undefined) return Promise.reject(this.failStart);
    this.#pid += 1;
    this.processes.set(sandboxId, { status: { status: 'running', pid: this.#pid }, command });
    return Promise.resolve({ pid: this.#pid });
  }

  status(sandboxId: string): SandboxStatus {
    return this.processes.get(sandboxId)?.status ?? { status: 'created' };
  }

  command(sandboxId: string): readonly string[] {
    return this.processes.get(sandboxId)?.command ?? [];
  }

  stop(sandboxId: string): Promise<void> {
    this.stopped.push(sandboxId);
    this.exit(sandboxId, 137);
    return Promise.resolve();
  }

  exit(sandboxId: string, exitCode: number): void {
    const entry = this.processes.get(sandboxId);
    if (entry !== undefined) entry.status = { status: 'exited', exitCode };
  }
}

/** A running API server on a temp unix socket, with its fake controller and runner. */
export interface ApiRig {
  readonly socket: string;
  readonly controller: FakeController;
  readonly runner: FakeRunner;
  readonly logs: Record<string, unknown>[];
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Sends `body` as is (a string or raw bytes), for malformed and oversized requests. */
  raw(request: { readonly method: string; readonly path: string; readonly body: string; readonly chunked?: boolean }): Promise<Reply>;
  close(): Promise<void>;
}

function exchange(socket: string, spec: { method: string; path: string; body?: Buffer; chunked?: boolean }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const length = spec.body === undefined || spec.chunked === true ? {} : { 'Content-Length': spec.body.length };
    const headers = spec.body === undefined ? {} : { 'Content-Type': 'application/json', ...length };
    const req = request({ socketPath: socket, method: spec.method, path: spec.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json: unknown = res.headers['content-type'] === 'application/json' && text !== '' ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** Starts the server on a fresh socket; `options.runner: false` starts it without a runner. */
export async function startApi(options: { readonly maxBodyBytes?: number; readonly runner?: false } = {}): Promise<ApiRig> {
  const directory = mkdtempSync(join(tmpdir(), 'berth-api-'));
  const socket = join(directory, 'berth.sock');
  const controller = new FakeController();
  const runner = new FakeRunner();
  const logs: Record<string, unknown>[] = [];
  const log = { debug: (fields: Record<string, unknown>) => void logs.push(fields), error: (fields: Record<string, unknown>) => void logs.push({ ...fields, level: 'error' }) };
  const server: Server = createApiServer({
    controller, log, version: '9.8.7',
    ...(options.runner === false ? {} : { runner }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  await listenUnix(server, socket);
  return {
    socket, controller, runner, logs,
    call: (method, path, body) => exchange(socket, { method, path, ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }) }),
    raw: (request) => exchange(socket, { method: request.method, path: request.path, body: Buffer.from(request.body), chunked: request.chunked === true }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
