import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

const BERTH = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-doc' });
});
afterAll(async () => {
  await rig.close();
});

interface Report {
  readonly status: string;
  readonly checks: readonly { readonly id: string; readonly status: string; readonly detail: string; readonly fix?: string }[];
  readonly summary: Record<string, number>;
}

describe('berth doctor inside a lab namespace', () => {
  test('reports the lab\'s routes, forwarding and firewall, not the host\'s; exit status matches', async () => {
    // A route inside berth's default pools, only in the lab host: the doctor must see it.
    await rig.lab.run(rig.host.netns, ['ip', 'route', 'add', '172.18.5.0/24', 'dev', 'eth0']);
    await rig.berth(['network', 'create', 'docnet']);
    const result = await execa('nsenter', [`--net=${rig.host.netns.path}`, process.execPath, BERTH, '-H', `unix://${rig.host.socketPath}`, 'doctor', '--format', 'json'], { reject: false, timeout: 60_000 });
    const report = JSON.parse(String(result.stdout)) as Report;
    const check = (id: string): Report['checks'][number] | undefined => report.checks.find((entry) => entry.id === id);
    expect(result.exitCode).toBe({ ok: 0, fail: 1, warn: 2 }[report.status]);
    expect(report.summary['ok']).toBeGreaterThan(5);
    for (const id of ['kernel.bridge', 'kernel.veth', 'kernel.nf_tables']) expect(check(id)?.status, id).toBe('ok');
    expect(check('routes.overlap')).toMatchObject({ status: 'warn', detail: expect.stringContaining('172.18.5.0/24 dev eth0 overlaps pool 172.18.0.0/16') as unknown });
    // berth's own bridge route (docnet's subnet) is not reported.
    expect(check('routes.overlap')?.detail).not.toMatch(/br-[0-9a-f]{12}/);
    // berthd turned forwarding on in the lab host when it made the bridge network.
    expect(check('firewall.ip_forward')?.status).toBe('ok');
    // The lab namespace has only berth's firewall tables.
    expect(check('firewall.docker')?.status).toBe('ok');
    expect(check('socket.api')).toMatchObject({ status: 'ok', detail: expect.stringContaining(rig.host.socketPath) as unknown });
    await rig.berth(['network', 'rm', 'docnet']);
  });
});
