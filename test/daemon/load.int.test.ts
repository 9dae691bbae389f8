import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { createNetworks, createSandbox, leftovers, networkName, ok, planSandboxes, pool, processStats, removeSandbox } from '../../bench/soak/load.js';
import type { LoadPlan, PlannedSandbox } from '../../bench/soak/load.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HELLO, fetchFrom, makeWebRoot } from './ports-support.js';

/**
 * Load (issue H item 4): 20 networks, BERTH_LOAD_SANDBOXES (default 1000, the issue's size)
 * sandboxes with two published ports each and embedded DNS, created and removed by 20 concurrent
 * API clients. On a 2-core CI machine: ~75 s to create, ~50 s to remove. Published ports are
 * checked right after creation; see the open finding in the test body. bench/soak runs the same
 * for minutes with churn.
 */
const SANDBOXES = Number(process.env['BERTH_LOAD_SANDBOXES'] ?? '1000');
const www = makeWebRoot();
const plan: LoadPlan = { networks: 20, sandboxes: SANDBOXES, portsPerSandbox: 2, firstPort: 20_000, clients: 20, servers: { indexes: [0, 1, 7, SANDBOXES - 1], www: www.dir } };
const sandboxes = planSandboxes(plan);

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-ld' });
}, 60_000);
afterAll(async () => {
  await rig?.close();
  www.remove();
}, 300_000);

/** fetchFrom, retried for up to 20 s: under load a busy 2-core machine starts httpd slowly. */
async function fetchPatiently(url: string): Promise<string | undefined> {
  for (let waited = 0; ; waited += 500) {
    const body = await fetchFrom(rig.lab.router.netns.path, url);
    if (body !== undefined || waited >= 20_000) return body;
    await sleep(500);
  }
}

function daemonPid(): number {
  return rig.daemon.pid ?? 0;
}

async function sandboxKey(name: string): Promise<string> {
  return ((await ok(rig, { method: 'GET', path: `/containers/${name}/json` })) as { NetworkSettings: { SandboxKey: string } }).NetworkSettings.SandboxKey;
}

/** Every sandbox's address on its network, from network inspect. */
async function addresses(): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  for (let index = 0; index < plan.networks; index += 1) {
    const detail = (await ok(rig, { method: 'GET', path: `/networks/${networkName(index)}` })) as { Containers: Record<string, { Name: string; IPv4Address: string }> };
    const ips = Object.values(detail.Containers).map((entry) => entry.IPv4Address);
    expect(new Set(ips).size, `duplicate IP on ${networkName(index)}`).toBe(ips.length);
    for (const entry of Object.values(detail.Containers)) byName.set(entry.Name, entry.IPv4Address.split('/')[0] ?? '');
  }
  return byName;
}

/** Twenty sandboxes spread over the run, each asking for a peer on its own network. */
function dnsSample(): { readonly from: PlannedSandbox; readonly peer: PlannedSandbox }[] {
  const step = Math.max(1, Math.floor(sandboxes.length / 20));
  return sandboxes.filter((_, index) => index % step === 0).slice(0, 20).flatMap((from) => {
    const peer = sandboxes.find((candidate) => candidate.network === from.network && candidate.index !== from.index);
    return peer === undefined ? [] : [{ from, peer }];
  });
}

describe(`load: ${String(SANDBOXES)} sandboxes over 20 networks, ${String(SANDBOXES * 2)} published ports, 20 concurrent clients`, () => {
  test('all created, no duplicate IP, names resolve, published ports answer, memory and fds bounded; then all removed with nothing left', async () => {
    onTestFailed(() => {
      console.log(`berthd ${rig.daemon.exitCode === null ? 'alive' : `exited ${String(rig.daemon.exitCode)}`}; last output:\n${rig.output.join('').split('\n').filter((line) => !line.includes('"level":20')).slice(-30).join('\n')}`);
    });
    const before = processStats(daemonPid());
    const started = Date.now();
    await createNetworks(rig, plan);
    await pool(sandboxes, { clients: plan.clients, work: (sandbox) => createSandbox(rig, { sandbox, plan }) });
    const createdMs = Date.now() - started;
    const loaded = processStats(daemonPid());
    console.log(`load: ${String(SANDBOXES)} sandboxes, ${String(SANDBOXES * plan.portsPerSandbox)} ports created in ${String(createdMs)} ms; berthd RSS ${before.rssMiB.toFixed(0)} → ${loaded.rssMiB.toFixed(0)} MiB, fds ${String(before.fds)} → ${String(loaded.fds)} (${loaded.kinds})`);

    const listed = (await ok(rig, { method: 'GET', path: '/containers/json?all=true' })) as { Names: string[] }[];
    expect(listed).toHaveLength(SANDBOXES);
    const ips = await addresses();
    expect(ips.size).toBe(SANDBOXES);

    const published = (await leftovers(rig)).publishElements;
    expect(published).toHaveLength(SANDBOXES * plan.portsPerSandbox);
    for (const index of plan.servers?.indexes ?? []) {
      const port = sandboxes[index]?.hostPorts[0] ?? 0;
      const body = await fetchPatiently(`http://${rig.host.ip}:${String(port)}/`);
      if (body !== HELLO) {
        const name = sandboxes[index]?.name ?? '';
        const direct = await fetchFrom(rig.host.netns.path, `http://${ips.get(name) ?? ''}/`);
        const map = (await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish4-any'])).split(/[,{}]/).filter((entry) => entry.includes(` ${String(port)} `));
        const processes = await execa('pgrep', ['-af', `httpd -f -p 80 -h ${www.dir}`], { reject: false });
        const ip = ips.get(name) ?? '';
        const key = await sandboxKey(name);
        const diag = [
          await rig.lab.run(rig.host.netns, ['ip', 'route', 'get', ip]).catch(String),
          await rig.lab.run(rig.host.netns, ['ip', 'neigh', 'show', ip]).catch(String),
          String((await execa('nsenter', [`--net=${key}`, 'ip', '-br', 'addr'], { reject: false })).stdout),
          String((await execa('nsenter', [`--net=${key}`, 'ss', '-ltn'], { reject: false })).stdout),
          String((await execa('nsenter', [`--net=${key}`, 'ping', '-c', '1', '-W', '2', ip.replace(/\.\d+$/, '.1')], { reject: false })).stdout),
          `neigh total ${String((await rig.lab.run(rig.host.netns, ['ip', 'neigh', 'show'])).split('\n').length)}`,
        ];
        console.log(diag.join('\n---\n'));
        console.log(`port ${String(port)} of ${name} (${ips.get(name) ?? '?'}): direct from host ${String(direct)}; map ${JSON.stringify(map)}; httpd processes:\n${processes.stdout}`);
      }
      expect(body, `port ${String(port)}`).toBe(HELLO);
    }


    for (const { from, peer } of dnsSample()) {
      const dig = await execa('nsenter', [`--net=${await sandboxKey(from.name)}`, 'dig', '@127.0.0.11', '+short', '+tries=2', '+time=5', peer.name], { reject: false, timeout: 20_000 });
      expect(dig.stdout.trim(), `${from.name} asking for ${peer.name}`).toBe(ips.get(peer.name));
    }

    // Open finding: in some runs (300 and 500 sandboxes) the first sandbox's published port, which
    // answered right after creation, stopped answering from the host about a minute later while its
    // httpd listened and the DNAT element was right. Re-checked here and reported, not yet asserted.
    for (const index of plan.servers?.indexes ?? []) {
      const port = sandboxes[index]?.hostPorts[0] ?? 0;
      const later = await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:${String(port)}/`);
      console.log(`load: port ${String(port)} ${String(Math.round((Date.now() - started) / 1000))} s after the start: ${later === HELLO ? 'answers' : 'DOES NOT ANSWER'}`);
    }

    // Generous bounds: a few fds per sandbox (its DNS sockets, a namespace handle while recent; ~4.4 measured) and well under a GiB.
    expect(loaded.fds).toBeLessThan(SANDBOXES * 6 + 200);
    expect(loaded.rssMiB).toBeLessThan(1024);

    const removing = Date.now();
    await pool(sandboxes, { clients: plan.clients, work: (sandbox) => removeSandbox(rig, sandbox.name) });
    await pool(Array.from({ length: plan.networks }, (_, index) => networkName(index)), { clients: plan.clients, work: async (name) => {
      await ok(rig, { method: 'DELETE', path: `/networks/${name}` });
    } });
    const after = processStats(daemonPid());
    console.log(`load: removed in ${String(Date.now() - removing)} ms; berthd RSS ${after.rssMiB.toFixed(0)} MiB, fds ${String(after.fds)}`);

    expect(await leftovers(rig)).toEqual({ veths: [], bridges: [], publishElements: [] });
    expect(await ok(rig, { method: 'GET', path: '/containers/json?all=true' })).toEqual([]);
    expect(after.fds).toBeLessThan(before.fds + 50);
    expect(rig.daemon.exitCode).toBeNull();
  }, 600_000);
});
