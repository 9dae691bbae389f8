import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
  expect((await rig.call('POST', '/networks/create', { Name: 'back', IPAM: { Config: [{ Subnet: '10.60.0.0/29' }] } })).status).toBe(201);
  expect((await rig.call('POST', '/berth/sandboxes', { Name: 'web' })).status).toBe(201);
});
afterEach(async () => {
  await rig.close();
});

function message(reply: { json: unknown }): string {
  return (reply.json as { message?: string } | undefined)?.message ?? `(no message, status ${String((reply as { status?: number }).status)})`;
}

describe('connect and disconnect', () => {
  test('connect 200 with an empty body; the endpoint shows in network inspect; twice is 403', async () => {
    const body = { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.60.0.5' }, Aliases: ['www'], DriverOpts: {} } };
    const reply = await rig.call('POST', '/networks/back/connect', body);
    expect([reply.status, reply.text]).toEqual([200, '']);
    const inspect = (await rig.call('GET', '/networks/back')).json as { Containers: Record<string, { Name: string; IPv4Address: string }> };
    expect(Object.values(inspect.Containers)).toEqual([expect.objectContaining({ Name: 'web', IPv4Address: '10.60.0.5/29' })]);
    expect([...rig.controller.endpoints.values()][0]?.aliases).toEqual(['www']);
    const again = await rig.call('POST', '/networks/back/connect', { Container: 'web' });
    expect([again.status, message(again)]).toEqual([403, 'endpoint with name web already exists in network back']);
  });

  test('connect errors: address in use 403, out of range 400, no address left 503, unknown sandbox or network 404, wrong types 400', async () => {
    await rig.call('POST', '/berth/sandboxes', { Name: 'db', Networks: [{ Network: 'back', IPv4Address: '10.60.0.2' }] });
    const cases: [string, unknown, number, string][] = [
      ['back', { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.60.0.2' } } }, 403, 'Address already in use: 10.60.0.2'],
      ['back', { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '10.61.0.2' } } }, 400, 'requested address 10.61.0.2 is out of range of 10.60.0.0/29'],
      ['bridge', { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: '172.17.0.9' } } }, 400, 'user specified IP address is supported only when connecting to networks with user configured subnets'],
      ['back', { Container: 'ghost' }, 404, 'No such container: ghost'],
      ['gone', { Container: 'web' }, 404, 'network gone not found'],
      ['back', { Container: 'web', EndpointConfig: { Aliases: 'www' } }, 400, 'invalid JSON: field "EndpointConfig.Aliases" must be a list of strings'],
      ['back', { Container: 'web', EndpointConfig: { IPAMConfig: { IPv4Address: 10 } } }, 400, 'invalid JSON: field "EndpointConfig.IPAMConfig.IPv4Address" must be a string'],
    ];
    for (const [network, body, status, text] of cases) {
      const reply = await rig.call('POST', `/networks/${network}/connect`, body);
      expect([reply.status, message(reply)]).toEqual([status, text]);
    }
    for (const name of ['s1', 's2', 's3', 's4']) await rig.call('POST', '/berth/sandboxes', { Name: name, Networks: [{ Network: 'back' }] });
    const full = await rig.call('POST', '/networks/back/connect', { Container: 'web' });
    expect([full.status, message(full)]).toEqual([503, "no available IPv4 addresses on this network's address pools: back"]);
  });

  test('disconnect 200; when not connected 404; Force must be a boolean', async () => {
    await rig.call('POST', '/networks/back/connect', { Container: 'web' });
    const reply = await rig.call('POST', '/v1.41/networks/back/disconnect', { Container: 'web', Force: false });
    expect([reply.status, reply.text]).toEqual([200, '']);
    expect(rig.controller.endpoints.size).toBe(0);
    const again = await rig.call('POST', '/networks/back/disconnect', { Container: 'web' });
    expect([again.status, message(again)]).toEqual([404, 'container web is not connected to network back']);
    const typed = await rig.call('POST', '/networks/back/disconnect', { Container: 'web', Force: 'yes' });
    expect([typed.status, message(typed)]).toEqual([400, 'invalid JSON: field "Force" must be a boolean']);
  });
});

describe('DELETE /networks/{id} and prune', () => {
  test('204 with no body; predefined 403; with endpoints 403 (Docker); unknown 404', async () => {
    await rig.call('POST', '/networks/create', { Name: 'spare' });
    const removed = await rig.call('DELETE', '/networks/spare');
    expect([removed.status, removed.text]).toEqual([204, '']);
    const predefined = await rig.call('DELETE', '/networks/bridge');
    expect([predefined.status, message(predefined)]).toEqual([403, 'bridge is a pre-defined network and cannot be removed']);
    await rig.call('POST', '/networks/back/connect', { Container: 'web' });
    const busy = await rig.call('DELETE', '/networks/back');
    expect(busy.status).toBe(403);
    expect(message(busy)).toMatch(/^error while removing network: network back has active endpoints \(name:"web" id:"[0-9a-f]{12}"\)$/);
    expect((await rig.call('DELETE', '/networks/spare')).status).toBe(404);
  });

  test('prune removes unused custom networks, returns names; label, label! and until filters', async () => {
    await rig.call('POST', '/networks/create', { Name: 'keepme', Labels: { keep: 'yes' } });
    await rig.call('POST', '/networks/create', { Name: 'tmp1', Labels: { scratch: '1' } });
    await rig.call('POST', '/networks/create', { Name: 'tmp2' });
    await rig.call('POST', '/networks/back/connect', { Container: 'web' });
    const byLabel = await rig.call('POST', `/networks/prune?filters=${encodeURIComponent('{"label":["scratch"]}')}`);
    expect(byLabel.json).toEqual({ NetworksDeleted: ['tmp1'] });
    const past = await rig.call('POST', `/networks/prune?filters=${encodeURIComponent('{"until":{"2000-01-01T00:00:00Z":true}}')}`);
    expect(past.json).toEqual({ NetworksDeleted: [] });
    const notKept = await rig.call('POST', `/networks/prune?filters=${encodeURIComponent('{"label!":{"keep=yes":true}}')}`);
    expect(notKept.json).toEqual({ NetworksDeleted: ['tmp2'] });
    const rest = await rig.call('POST', '/networks/prune?filters=%7B%22until%22%3A%5B%220s%22%5D%7D');
    expect(rest.json).toEqual({ NetworksDeleted: ['keepme'] });
    const names = ((await rig.call('GET', '/networks')).json as { Name: string }[]).map((entry) => entry.Name).sort();
    expect(names).toEqual(['back', 'bridge', 'host', 'none']);
  });

  test('prune filter errors are 400', async () => {
    const unknown = await rig.call('POST', `/networks/prune?filters=${encodeURIComponent('{"dangling":["true"]}')}`);
    expect([unknown.status, message(unknown)]).toEqual([400, "invalid filter 'dangling'"]);
    const badUntil = await rig.call('POST', `/networks/prune?filters=${encodeURIComponent('{"until":["soon"]}')}`);
    expect([badUntil.status, message(badUntil)]).toEqual([400, "invalid filter 'until=soon'"]);
  });
});
