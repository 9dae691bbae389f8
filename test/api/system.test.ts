import { statSync } from 'node:fs';
import { release } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';

let rig: ApiRig;
beforeAll(async () => {
  rig = await startApi();
});
afterAll(async () => {
  await rig.close();
});

describe('system routes, headers and versioning', () => {
  test('GET and HEAD /_ping as Docker answers them', async () => {
    const get = await rig.call('GET', '/_ping');
    expect(get.status).toBe(200);
    expect(get.text).toBe('OK');
    expect(get.headers).toMatchObject({
      'api-version': '1.44', server: 'Berth/9.8.7 (linux)', ostype: 'linux', 'docker-experimental': 'false',
      'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache', 'builder-version': '1', swarm: 'inactive',
      'content-type': 'text/plain; charset=utf-8',
    });
    const head = await rig.call('HEAD', '/_ping');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-length']).toBe('0');
    expect(head.headers['api-version']).toBe('1.44');
  });

  test('GET /version', async () => {
    const reply = await rig.call('GET', '/v1.44/version');
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      Version: '9.8.7', ApiVersion: '1.44', MinAPIVersion: '1.24', Os: 'linux', KernelVersion: release(),
      Platform: { Name: 'berth' }, Components: [{ Name: 'Engine', Version: '9.8.7' }],
    });
  });

  test('GET /info is enough for docker info', async () => {
    const reply = await rig.call('GET', '/info');
    expect(reply.json).toMatchObject({ ID: 'berth', Containers: 0, ServerVersion: '9.8.7', Driver: 'none', OSType: 'linux', Plugins: { Network: ['bridge', 'host', 'null'] } });
    expect(reply.json).toHaveProperty('NCPU');
    expect(reply.json).toHaveProperty('MemTotal');
  });

  test('versioned prefixes: inside the range work, too new and too old are 400', async () => {
    expect((await rig.call('GET', '/v1.24/networks')).status).toBe(200);
    expect((await rig.call('HEAD', '/v1.40/_ping')).status).toBe(200);
    const tooNew = await rig.call('GET', '/v1.45/networks');
    expect(tooNew.status).toBe(400);
    expect(tooNew.headers['content-type']).toBe('application/json');
    expect(tooNew.json).toEqual({ message: 'client version 1.45 is too new. Maximum supported API version is 1.44' });
    const tooOld = await rig.call('GET', '/v1.12/networks');
    expect(tooOld.status).toBe(400);
    expect(String((tooOld.json as { message: string }).message)).toContain('client version 1.12 is too old. Minimum supported API version is 1.24');
  });

  test('unknown routes and methods are 404 page not found, with the common headers', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/v1.44/images/json'], ['PUT', '/networks/bridge'], ['GET', '/networks/a/b/c']] as const) {
      const reply = await rig.call(method, path);
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['server']).toBe('Berth/9.8.7 (linux)');
      expect(reply.json).toEqual({ message: 'page not found' });
    }
  });

  test('structured access log: method, path, status, ms', async () => {
    await rig.call('GET', '/v1.44/networks?x=1');
    expect(rig.logs).toContainEqual(expect.objectContaining({ method: 'GET', path: '/v1.44/networks?x=1', status: 200, ms: expect.any(Number) as number }));
  });

  test('listenUnix chmods the socket (0660)', () => {
    expect(statSync(rig.socket).mode & 0o777).toBe(0o660);
    expect(statSync(rig.socket).isSocket()).toBe(true);
  });
});
