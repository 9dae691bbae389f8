import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';
import { berth } from './cli-harness.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
});
afterEach(async () => {
  await rig.close();
});

async function populate(): Promise<void> {
  await rig.controller.createNetwork({ name: 'front' });
  await rig.controller.createNetwork({ name: 'back' });
  await rig.controller.createSandbox({ name: 'web', networks: [{ network: 'front' }, { network: 'back' }] });
  await rig.controller.createSandbox({ name: 'idle' });
  rig.runner.processes.set([...rig.controller.sandboxes.values()][0]?.id ?? '', { status: { status: 'running', pid: 42 }, command: ['sleep', '1'] });
}

describe('POST /berth/system/reset', () => {
  test('removes every sandbox (stopping its process) and every custom network; predefined ones stay', async () => {
    await populate();
    const reply = await rig.call('POST', '/v1.44/berth/system/reset?force=1');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ SandboxesRemoved: ['web', 'idle'], NetworksRemoved: ['front', 'back'], Errors: [], DaemonStopping: false });
    expect(rig.runner.stopped).toHaveLength(2);
    expect([...rig.controller.networks.values()].map((network) => network.name).sort()).toEqual(['bridge', 'host', 'none']);
    expect(rig.controller.sandboxes.size).toBe(0);
  });

  test('refused without force; failures are reported and the rest still goes', async () => {
    expect((await rig.call('POST', '/berth/system/reset')).status).toBe(400);
    await populate();
    const original = rig.controller.removeNetwork.bind(rig.controller);
    rig.controller.removeNetwork = (idOrName: string) => (rig.controller.networks.get(idOrName)?.name === 'front' ? Promise.reject(new Error('busy')) : original(idOrName));
    const reply = await rig.call('POST', '/berth/system/reset?force=true');
    expect(reply.json).toMatchObject({ NetworksRemoved: ['back'], Errors: ['network front: busy'] });
  });
});

describe('berth system reset', () => {
  test('--force prints what went; without it asks on a terminal and refuses otherwise', async () => {
    await populate();
    const refused = await berth(rig, ['system', 'reset']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    const declined = await berth(rig, ['system', 'reset'], { interactive: true, answer: 'n' });
    expect(declined.code).toBe(0);
    expect(rig.controller.sandboxes.size).toBe(2);
    const result = await berth(rig, ['system', 'reset', '--force']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('removed sandbox web\nremoved sandbox idle\nremoved network front\nremoved network back\n2 sandboxes, 2 networks removed\n');
  });
});
