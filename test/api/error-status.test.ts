import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ERROR_STATUS, listenUnix } from '../../src/api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { ErrorCode } from '../../src/errors/index.js';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';

/** Every member of the ErrorCode union, read from its source (the union has no runtime form). */
function errorCodes(): ErrorCode[] {
  const source = readFileSync(new URL('../../src/errors/berth-error.ts', import.meta.url), 'utf8');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'([A-Z_0-9]+)'/g)].map((match) => match[1] as ErrorCode);
}

let rig: ApiRig;
beforeAll(async () => {
  rig = await startApi();
});
afterAll(async () => {
  await rig.close();
});

describe('the error-status table', () => {
  test('covers exactly the ErrorCode union', () => {
    const codes = errorCodes();
    expect(codes.length).toBeGreaterThan(30);
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...codes].sort());
  });

  test('the statuses the brief and Docker fix', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      INVALID_ARGUMENT: 400, INVALID_OPTION: 400, BAD_REQUEST: 400, NETWORK_AMBIGUOUS: 400, SANDBOX_AMBIGUOUS: 400, ADDRESS_OUT_OF_RANGE: 400, NO_POOL_AVAILABLE: 400,
      PREDEFINED_NETWORK: 403, NETWORK_HAS_ENDPOINTS: 403, POOL_OVERLAP: 403, ADDRESS_IN_USE: 403, ENDPOINT_EXISTS: 403,
      NETWORK_EXISTS: 409, SANDBOX_EXISTS: 409, NETWORK_NOT_FOUND: 404, SANDBOX_NOT_FOUND: 404, ENDPOINT_NOT_FOUND: 404, DRIVER_NOT_FOUND: 404, IPAM_DRIVER_NOT_FOUND: 404,
      PAYLOAD_TOO_LARGE: 413, NOT_IMPLEMENTED: 501, NO_ADDRESS_AVAILABLE: 503, KERNEL_FAILURE: 500, STORE_FAILURE: 500, INTERNAL: 500,
    };
    for (const [code, status] of Object.entries(expected)) expect([code, ERROR_STATUS[code as ErrorCode]]).toEqual([code, status]);
  });

  test('docs/errors.md lists every code with its status', () => {
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of errorCodes()) expect(docs, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${ERROR_STATUS[code]} \\|`));
  });

  test('every code reaches the client with its status, {"message"} and Content-Type application/json', async () => {
    for (const code of errorCodes()) {
      rig.controller.failNext = new BerthError(code, `boom ${code}`);
      const reply = await rig.call('GET', '/networks');
      expect([code, reply.status, reply.headers['content-type'], reply.json]).toEqual([code, ERROR_STATUS[code], 'application/json', { message: `boom ${code}` }]);
    }
    rig.controller.failNext = new TypeError('undefined is not a function');
    const internal = await rig.call('POST', '/networks/create', { Name: 'x' });
    expect([internal.status, internal.json]).toEqual([500, { message: 'undefined is not a function' }]);
  });

  test('listenUnix replaces a stale socket file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'berth-stale-')), 'berth.sock');
    writeFileSync(path, 'stale');
    const server = createServer();
    await listenUnix(server, path, 0o600);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
