import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
  await rig.call('POST', '/networks/create', { Name: 'front', IPAM: { Config: [{ Subnet: '10.70.0.0/24' }] } });
});
afterEach(async () => {
  await rig.close();
});

async function sandbox(body: Record<string, unknown>): Promise<string> {
  const reply = await rig.call('POST', '/berth/sandboxes', body);
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { Id: string }).Id;
}

describe('POST /berth/sandboxes', () => {
  test('creates the sandbox and starts Cmd through the runner', async () => {
    const id = await sandbox({
      Name: 'web', Hostname: 'www', Networks: [{ Network: 'front', IPv4Address: '10.70.0.9', Aliases: ['site'] }],
      Dns: ['1.1.1.1'], DnsSearch: ['example'], DnsOptions: ['ndots:1'], ExtraHosts: ['db:10.0.0.1'], Labels: { app: 'x' }, Cmd: ['sleep', '60'],
    });
    expect(rig.runner.processes.get(id)?.command).toEqual(['sleep', '60']);
    const record = rig.controller.sandboxes.get(id);
    expect(record).toMatchObject({ name: 'web', hostname: 'www', dns: { servers: ['1.1.1.1'], search: ['example'], options: ['ndots:1'] }, extraHosts: ['db:10.0.0.1'], labels: { app: 'x' } });
  });

  test('a failed start removes the sandbox again', async () => {
    rig.runner.failStart = new Error('spawn nsenter ENOENT');
    const reply = await rig.call('POST', '/berth/sandboxes', { Name: 'broken', Networks: [{ Network: 'front' }], Cmd: ['true'] });
    expect([reply.status, reply.json]).toEqual([500, { message: 'spawn nsenter ENOENT' }]);
    expect(rig.controller.sandboxes.size).toBe(0);
    expect(rig.controller.endpoints.size).toBe(0);
    expect(rig.logs).toContainEqual(expect.objectContaining({ level: 'error', code: 'INTERNAL' }));
  });

  test('errors: duplicate name 409, unknown network 404, wrong types 400; Cmd without a runner 501', async () => {
    await sandbox({ Name: 'web' });
    const cases: [unknown, number, string][] = [
      [{ Name: 'web' }, 409, 'Conflict. The container name "/web" is already in use'],
      [{ Name: 'x', Networks: [{ Network: 'nope' }] }, 404, 'network nope not found'],
      [{ Name: 'x', Cmd: 'sleep 1' }, 400, 'invalid JSON: field "Cmd" must be a list of strings'],
      [{ Name: 'x', Networks: [{ Network: 'front', Aliases: [1] }] }, 400, 'invalid JSON: field "Networks[0].Aliases" must be a list of strings'],
      [{ Name: 'x', Labels: { a: true } }, 400, 'invalid JSON: field "Labels.a" must be a string'],
    ];
    for (const [body, status, message] of cases) {
      const reply = await rig.call('POST', '/berth/sandboxes', body);
      expect([reply.status, reply.json]).toEqual([status, { message }]);
    }
    const bare = await startApi({ runner: false });
    try {
      const reply = await bare.call('POST', '/berth/sandboxes', { Name: 'x', Cmd: ['true'] });
      expect(reply.status).toBe(501);
      expect((await bare.call('POST', '/berth/sandboxes', { Name: 'y' })).status).toBe(201);
    } finally {
      await bare.close();
    }
  });

  test('Ports are published on the first network and shown in inspect', async () => {
    const id = await sandbox({ Name: 'pub', Networks: [{ Network: 'front' }], Ports: ['8080:80'] });
    const inspect = (await rig.call('GET', `/containers/${id}/json`)).json as { NetworkSettings: { Ports: unknown } };
    expect(inspect.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  });
});

describe('sandboxes as containers', () => {
  test('GET /containers/json: Docker list shape; exited ones only with all=true', async () => {
    const running = await sandbox({ Name: 'run', Networks: [{ Network: 'front' }], Cmd: ['sleep', '60'], Labels: { a: 'b' } });
    const done = await sandbox({ Name: 'done', Cmd: ['true'] });
    rig.runner.exit(done, 3);
    const idle = await sandbox({ Name: 'idle' });
    const list = (await rig.call('GET', '/containers/json')).json as Record<string, unknown>[];
    expect(list.map((entry) => entry['Id']).sort()).toEqual([running, idle].sort());
    expect(list.find((entry) => entry['Id'] === running)).toMatchObject({
      Names: ['/run'], Image: 'berth-sandbox', Command: 'sleep 60', State: 'running', Status: 'Up', Labels: { a: 'b' },
      Created: expect.any(Number) as number,
      NetworkSettings: { Networks: { front: { IPAddress: '10.70.0.2', IPPrefixLen: 24, Gateway: '10.70.0.1', NetworkID: rig.controller.getNetwork('front').network.id } } },
    });
    const all = (await rig.call('GET', '/containers/json?all=true')).json as Record<string, unknown>[];
    expect(all.find((entry) => entry['Id'] === done)).toMatchObject({ State: 'exited', Status: 'Exited (3)' });
    expect(all.find((entry) => entry['Id'] === idle)).toMatchObject({ State: 'created', Status: 'Created' });
  });

  test('GET /containers/{id}/json: State, Config, HostConfig, NetworkSettings', async () => {
    const id = await sandbox({ Name: 'web', Hostname: 'www', Networks: [{ Network: 'front', Aliases: ['site'] }], Cmd: ['sleep', '60'], Labels: { k: 'v' } });
    const reply = await rig.call('GET', '/containers/web/json');
    expect(reply.status).toBe(200);
    const endpoint = [...rig.controller.endpoints.values()][0];
    expect(reply.json).toMatchObject({
      Id: id, Name: '/web',
      State: { Status: 'running', Running: true, Pid: rig.runner.status(id).pid, ExitCode: 0 },
      Config: { Hostname: 'www', Labels: { k: 'v' }, Cmd: ['sleep', '60'] },
      HostConfig: { NetworkMode: 'front' },
      NetworkSettings: {
        SandboxKey: `/run/berth/netns/${id.slice(0, 12)}`,
        Networks: { front: {
          NetworkID: rig.controller.getNetwork('front').network.id, EndpointID: endpoint?.id, Gateway: '10.70.0.1', IPAddress: '10.70.0.2', IPPrefixLen: 24,
          IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '02:42:0a:46:00:02', Aliases: ['site'], DNSNames: ['web', 'site', id.slice(0, 12)],
        } },
      },
    });
    expect((await rig.call('GET', '/containers/ghost/json')).status).toBe(404);
  });

  test('DELETE /containers/{id}: 409 while running without force; force stops through the runner; 204', async () => {
    const id = await sandbox({ Name: 'web', Networks: [{ Network: 'front' }], Cmd: ['sleep', '60'] });
    const refused = await rig.call('DELETE', '/containers/web');
    expect(refused.status).toBe(409);
    expect(rig.controller.sandboxes.size).toBe(1);
    const removed = await rig.call('DELETE', `/containers/${id.slice(0, 8)}?force=true`);
    expect([removed.status, removed.text]).toEqual([204, '']);
    expect(rig.runner.stopped).toEqual([id]);
    expect(rig.controller.sandboxes.size).toBe(0);
    expect(rig.controller.endpoints.size).toBe(0);
    expect((await rig.call('DELETE', '/containers/web')).status).toBe(404);
  });
});
