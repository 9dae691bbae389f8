import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
});
afterEach(async () => {
  await rig.close();
});

interface Summary { readonly Name: string; readonly Id: string; readonly Containers?: unknown }

async function create(body: Record<string, unknown>): Promise<string> {
  const reply = await rig.call('POST', '/networks/create', body);
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { Id: string }).Id;
}

async function names(filters: unknown): Promise<string[]> {
  const reply = await rig.call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify(filters))}`);
  expect(reply.status, reply.text).toBe(200);
  return (reply.json as Summary[]).map((entry) => entry.Name).sort();
}

describe('POST /networks/create', () => {
  test('201 {Id, Warning}; CheckDuplicate ignored; duplicate name 409', async () => {
    const reply = await rig.call('POST', '/v1.44/networks/create', { Name: 'front', CheckDuplicate: true, Labels: { tier: 'web' } });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.json).toEqual({ Id: expect.stringMatching(/^[0-9a-f]{64}$/) as string, Warning: '' });
    const again = await rig.call('POST', '/networks/create', { Name: 'front', CheckDuplicate: false });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ message: 'network with name front already exists' });
  });

  test('statuses from the controller: predefined 403, overlap 403, bad subnet 400, unknown driver 404, bad option 400', async () => {
    await create({ Name: 'a', IPAM: { Config: [{ Subnet: '10.1.0.0/16' }] } });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ Name: 'bridge' }, 403, 'operation is not permitted on predefined bridge network'],
      [{ Name: 'b', IPAM: { Config: [{ Subnet: '10.1.2.0/24' }] } }, 403, 'Pool overlaps with other one on this address space'],
      [{ Name: 'c', IPAM: { Config: [{ Subnet: '10.2.3.4/16' }] } }, 400, 'invalid subnet 10.2.3.4/16: it should be 10.2.0.0/16'],
      [{ Name: 'd', Driver: 'weave' }, 404, 'plugin "weave" not found'],
      [{ Name: 'e', IPAM: { Driver: 'infoblox' } }, 404, 'plugin "infoblox" not found'],
      [{ Name: 'f', Options: { colour: 'red' } }, 400, 'unknown bridge option colour'],
      [{ Name: '' }, 400, 'network name must not be empty'],
      [{}, 400, 'network name must not be empty'],
    ];
    for (const [body, status, message] of cases) {
      const reply = await rig.call('POST', '/networks/create', body);
      expect([reply.status, (reply.json as { message: string }).message.trim()]).toEqual([status, message]);
    }
  });

  test('malformed JSON 400; wrong types 400 naming the field', async () => {
    const broken = await rig.raw({ method: 'POST', path: '/networks/create', body: '{"Name": "x",' });
    expect(broken.status).toBe(400);
    expect((broken.json as { message: string }).message).toMatch(/^invalid JSON: /);
    const cases: [unknown, string][] = [
      [{ Name: 'x', Internal: 'yes' }, 'invalid JSON: field "Internal" must be a boolean'],
      [{ Name: 7 }, 'invalid JSON: field "Name" must be a string'],
      [{ Name: 'x', Labels: ['a'] }, 'invalid JSON: field "Labels" must be an object of strings'],
      [{ Name: 'x', Options: { a: 1 } }, 'invalid JSON: field "Options.a" must be a string'],
      [{ Name: 'x', IPAM: { Config: [{ Subnet: 7 }] } }, 'invalid JSON: field "IPAM.Config[0].Subnet" must be a string'],
      [{ Name: 'x', IPAM: { Config: {} } }, 'invalid JSON: field "IPAM.Config" must be a list'],
      [{ Name: 'x', EnableIPv6: 1 }, 'invalid JSON: field "EnableIPv6" must be a boolean'],
      [[1], 'invalid JSON: field "body" must be an object'],
    ];
    for (const [body, message] of cases) {
      const reply = await rig.call('POST', '/networks/create', body);
      expect([reply.status, reply.json]).toEqual([400, { message }]);
    }
  });

  test('a body above the limit is 413', async () => {
    const big = JSON.stringify({ Name: 'x', Labels: { pad: 'x'.repeat(1024 * 1024) } });
    const reply = await rig.raw({ method: 'POST', path: '/networks/create', body: big });
    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({ message: 'request body is larger than 1048576 bytes' });
    expect(rig.controller.networks.size).toBe(3);
  });

  test('a configured limit applies to chunked bodies (no Content-Length) too', async () => {
    const small = await startApi({ maxBodyBytes: 64 });
    try {
      expect((await small.raw({ method: 'POST', path: '/networks/create', body: '{"Name":"ok"}', chunked: true })).status).toBe(201);
      expect((await small.call('POST', '/networks/create', { Name: 'y'.repeat(100) })).status).toBe(413);
      const chunked = await small.raw({ method: 'POST', path: '/networks/create', body: JSON.stringify({ Name: 'z'.repeat(100) }), chunked: true });
      expect([chunked.status, chunked.json]).toEqual([413, { message: 'request body is larger than 64 bytes' }]);
    } finally {
      await small.close();
    }
  });
});

describe('GET /networks and /networks/{id}', () => {
  test('inspect: Docker shape, IPAM config filled in, Containers keyed by sandbox id', async () => {
    const id = await create({ Name: 'back', Internal: true, Attachable: true, Options: { 'com.docker.network.bridge.name': 'br-back' }, IPAM: { Config: [{ Subnet: '10.50.0.0/24', IPRange: '10.50.0.128/25' }] } });
    const sandbox = (await rig.call('POST', '/berth/sandboxes', { Name: 'web', Networks: [{ Network: 'back' }] })).json as { Id: string };
    const reply = await rig.call('GET', `/networks/${id.slice(0, 10)}`);
    expect(reply.status).toBe(200);
    const inspect = reply.json as Record<string, unknown>;
    expect(inspect).toMatchObject({
      Name: 'back', Id: id, Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false, Internal: true, Attachable: true, Ingress: false,
      ConfigFrom: { Network: '' }, ConfigOnly: false, Options: { 'com.docker.network.bridge.name': 'br-back' }, Labels: {},
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.50.0.0/24', IPRange: '10.50.0.128/25', Gateway: '10.50.0.1' }] },
    });
    expect(inspect['Created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const endpoint = [...rig.controller.endpoints.values()][0];
    expect(inspect['Containers']).toEqual({ [sandbox.Id]: { Name: 'web', EndpointID: endpoint?.id, MacAddress: '02:42:0a:32:00:81', IPv4Address: '10.50.0.129/24', IPv6Address: '' } });
  });

  test('a network created without a subnet reports the allocated one', async () => {
    await create({ Name: 'auto' });
    const inspect = (await rig.call('GET', '/networks/auto')).json as { IPAM: { Config: unknown[] } };
    expect(inspect.IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
  });

  test('not found 404, ambiguous prefix 400', async () => {
    expect(await rig.call('GET', '/networks/nope')).toMatchObject({ status: 404, json: { message: 'network nope not found' } });
    rig.controller.idPrefix = 'abc';
    await create({ Name: 'p1' });
    await create({ Name: 'p2' });
    const reply = await rig.call('GET', '/networks/abc');
    expect(reply.status).toBe(400);
    expect((reply.json as { message: string }).message).toContain('ambiguous');
  });

  test('list: summaries without Containers; predefined networks included', async () => {
    const list = (await rig.call('GET', '/networks')).json as Summary[];
    expect(list.map((entry) => entry.Name).sort()).toEqual(['bridge', 'host', 'none']);
    expect(list[0]).not.toHaveProperty('Containers');
  });

  test('filters in both forms: name, id, driver, label, scope, type, dangling', async () => {
    const frontId = await create({ Name: 'front', Labels: { tier: 'web', env: 'prod' } });
    await create({ Name: 'frontier', Labels: { tier: 'db' } });
    await create({ Name: 'mac', Driver: 'macvlan' });
    await rig.call('POST', '/berth/sandboxes', { Name: 'used', Networks: [{ Network: 'frontier' }] });
    expect(await names({ name: { front: true } })).toEqual(['front', 'frontier']);
    expect(await names({ name: ['^front$'] })).toEqual(['front']);
    expect(await names({ id: [frontId.slice(0, 8)] })).toEqual(['front']);
    expect(await names({ driver: { macvlan: true } })).toEqual(['mac']);
    expect(await names({ label: { tier: true } })).toEqual(['front', 'frontier']);
    expect(await names({ label: ['tier=web', 'env=prod'] })).toEqual(['front']);
    expect(await names({ scope: ['local'], type: ['builtin'] })).toEqual(['bridge', 'host', 'none']);
    expect(await names({ type: { custom: true } })).toEqual(['front', 'frontier', 'mac']);
    expect(await names({ dangling: ['true'] })).toEqual(['front', 'mac']);
    expect(await names({ dangling: { 0: true } })).toEqual(['bridge', 'frontier', 'host', 'none']);
  });

  test('bad filters are 400: unknown key, bad type or dangling value, malformed JSON', async () => {
    const cases: [string, string][] = [
      ['{"colour":{"red":true}}', "invalid filter 'colour'"],
      ['{"type":["weird"]}', "invalid filter 'type=weird'"],
      ['{"dangling":["maybe"]}', "invalid filter 'dangling=maybe'"],
      ['{nope', 'invalid filters: {nope'],
    ];
    for (const [filters, message] of cases) {
      const reply = await rig.call('GET', `/networks?filters=${encodeURIComponent(filters)}`);
      expect([reply.status, reply.json]).toEqual([400, { message }]);
    }
  });
});
