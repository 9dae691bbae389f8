import { chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BerthError, toBerthError } from '../errors/index.js';
import type { NetworkController, Logger } from '../controller/index.js';
import type { EventSource } from '../events/index.js';
import { ERROR_STATUS } from './error-status.js';
import { readJson, sendJson } from './http-io.js';
import { ROUTES } from './route-table.js';
import type { SandboxRunner } from './sandbox-runner.js';
import type { SystemResetHook } from './system-reset-hook.js';
import { API_VERSION, MIN_API_VERSION } from './versions.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What the API logs through: access lines at debug, failures (5xx) at error. pino fits. */
export type ApiLogger = Pick<Logger, 'debug' | 'error'>;

/** What `createApiServer` needs. */
export interface ApiServerOptions {
  readonly controller: NetworkController;
  /** Runs `Cmd` of `POST /berth/sandboxes`; without it such requests are 501. */
  readonly runner?: SandboxRunner;
  readonly log: ApiLogger;
  /** berth's version, for `Server:`, /version and /info. */
  readonly version: string;
  /** Request bodies above this are refused with 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Serves `GET /events`; without it that route is 501. */
  readonly events?: EventSource;
  /** Told about every finished request (metrics); `route` is the handler's name, `notFound` when none matched. */
  /** The daemon's part of `POST /berth/system/reset`. */
  readonly reset?: SystemResetHook;
  readonly onRequest?: (sample: { readonly method: string; readonly route: string; readonly status: number; readonly seconds: number }) => void;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor;
}

/** Strips and checks a `/v1.NN` prefix (Docker's versioned routes). */
function unversioned(path: string): string {
  const match = /^\/v([0-9]+(?:\.[0-9]+)?)(\/.*)$/.exec(path);
  if (match === null) return path;
  const requested = match[1] ?? '';
  if (compareVersions(requested, API_VERSION) > 0) {
    throw new BerthError('BAD_REQUEST', `client version ${requested} is too new. Maximum supported API version is ${API_VERSION}`, { object: requested });
  }
  if (compareVersions(requested, MIN_API_VERSION) < 0) {
    throw new BerthError('BAD_REQUEST', `client version ${requested} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`, { object: requested });
  }
  return match[2] ?? '/';
}

function bodyReader(request: IncomingMessage, limit: number): () => Promise<unknown> {
  return () => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) return Promise.reject(new BerthError('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`, { object: 'body' }));
    return readJson(request, limit);
  };
}

/** A path segment, percent-decoded; a malformed escape (`%`, `%zz`) is the client's error, not a 500. */
function decodeParam(param: string): string {
  try {
    return decodeURIComponent(param);
  } catch {
    throw new BerthError('INVALID_ARGUMENT', `malformed percent-encoding in path segment ${JSON.stringify(param)}`, { object: param });
  }
}

/** Runs the matching route; `matched` learns its handler's name before it runs (for metrics, also when it throws). */
async function dispatch(options: ApiServerOptions, exchange: { request: IncomingMessage; response: ServerResponse; matched: (route: string) => void }): Promise<void> {
  const { request, response } = exchange;
  const url = new URL(request.url ?? '/', 'http://berth');
  const path = unversioned(url.pathname);
  const method = request.method ?? 'GET';
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match === null || routeMethod !== method) continue;
    exchange.matched(handler.name);
    await handler({
      controller: options.controller,
      runner: options.runner,
      events: options.events,
      reset: options.reset,
      method,
      params: match.slice(1).map((param) => decodeParam(param)),
      query: url.searchParams,
      body: bodyReader(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
      response,
      version: options.version,
    });
    return;
  }
  sendJson(response, 404, { message: 'page not found' });
}

function fail(options: ApiServerOptions, exchange: { request: IncomingMessage; response: ServerResponse }, caught: unknown): void {
  const { request, response } = exchange;
  const error = toBerthError(caught);
  const status = ERROR_STATUS[error.code];
  if (status >= 500) {
    options.log.error({ method: request.method, path: request.url, code: error.code, error: error.message, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'api request failed');
  }
  if (!response.headersSent) {
    // Refused before reading the body: close afterwards rather than read megabytes we will not use.
    if (error.code === 'PAYLOAD_TOO_LARGE') response.setHeader('Connection', 'close');
    sendJson(response, status, { message: error.message });
  } else {
    response.end();
  }
  // Drain what the client still sends, so it reads our answer instead of a reset.
  request.resume();
}

/** The Docker-Engine-compatible API server (not yet listening): every route of src/api/route-table.ts. */
export function createApiServer(options: ApiServerOptions): Server {
  return createServer((request, response) => {
    const started = process.hrtime.bigint();
    response.setHeader('Api-Version', API_VERSION);
    response.setHeader('Server', `Berth/${options.version} (linux)`);
    response.setHeader('Ostype', 'linux');
    response.setHeader('Docker-Experimental', 'false');
    let route = 'notFound';
    dispatch(options, { request, response, matched: (name) => { route = name; } })
      .catch((caught: unknown) => fail(options, { request, response }, caught))
      .finally(() => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        options.log.debug({ method: request.method, path: request.url, status: response.statusCode, ms }, 'api request');
        options.onRequest?.({ method: request.method ?? 'GET', route, status: response.statusCode, seconds: ms / 1000 });
      });
  });
}

/** Listens on a unix socket (a stale socket file is replaced), then sets `mode` (0660: root and the berth group). */
export async function listenUnix(server: Server, path: string, mode = 0o660): Promise<void> {
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, mode);
}
