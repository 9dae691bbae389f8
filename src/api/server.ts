import { chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BerthError, toBerthError } from '../errors/index.js';
import type { NetworkController, Logger } from '../controller/index.js';
import { ERROR_STATUS } from './error-status.js';
import { readJson, sendJson } from './http-io.js';
import type { SandboxRunner } from './sandbox-runner.js';
import type { RouteTable } from './routes/route-context.js';
import { NETWORK_ROUTES } from './routes/networks.js';
import { CONTAINER_ROUTES } from './routes/containers.js';
import { SYSTEM_ROUTES } from './routes/system.js';
import { API_VERSION, MIN_API_VERSION } from './versions.js';

const ROUTES: RouteTable = [...SYSTEM_ROUTES, ...NETWORK_ROUTES, ...CONTAINER_ROUTES];

export interface ApiServerOptions {
  readonly controller: NetworkController;
  readonly runner?: SandboxRunner;
  readonly log: Logger;
  readonly version: string;
  /** Request bodies above this are refused with 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor;
}

/** Strips and checks a `/v1.NN` prefix (Docker's versioned routes). */
function unversioned(path: string): string {
  const match = /^\/v([0-9]+\.[0-9]+)(\/.*)$/.exec(path);
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

function ping(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Builder-Version': '1',
    Swarm: 'inactive',
    'Content-Length': request.method === 'HEAD' ? 0 : 2,
  });
  response.end(request.method === 'HEAD' ? undefined : 'OK');
}

async function dispatch(options: ApiServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://berth');
  const path = unversioned(url.pathname);
  if (path === '/_ping' && (request.method === 'GET' || request.method === 'HEAD')) return ping(request, response);
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(path);
    if (match === null || method !== request.method) continue;
    await handler({
      controller: options.controller,
      runner: options.runner,
      params: match.slice(1).map((param) => decodeURIComponent(param)),
      query: url.searchParams,
      body: () => readJson(request, options.maxBodyBytes ?? 1024 * 1024),
      response,
      version: options.version,
    });
    return;
  }
  sendJson(response, 404, { message: 'page not found' });
}

/** The Docker-Engine-compatible API server (not yet listening). */
export function createApiServer(options: ApiServerOptions): Server {
  return createServer((request, response) => {
    const started = process.hrtime.bigint();
    response.setHeader('Api-Version', API_VERSION);
    response.setHeader('Server', `Berth/${options.version} (linux)`);
    response.setHeader('Ostype', 'linux');
    response.setHeader('Docker-Experimental', 'false');
    dispatch(options, request, response)
      .catch((caught: unknown) => {
        const error = toBerthError(caught);
        const status = ERROR_STATUS[error.code];
        if (status >= 500) options.log.error({ code: error.code, error: error.message, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'request failed');
        if (!response.headersSent) sendJson(response, status, { message: error.message });
        else response.end();
        // Drain what the client still sends, so it reads our answer instead of a reset.
        request.resume();
      })
      .finally(() => {
        options.log.debug({ method: request.method, path: request.url, status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'api request');
      });
  });
}

/** Listens on a unix socket (a stale socket file is replaced) with `mode` (0660: root and the berth group). */
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
