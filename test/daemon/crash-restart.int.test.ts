import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon();
});
afterAll(async () => {
  await rig.close();
});

interface Inspect {
  Containers: Record<string, { Name: string; IPv4Address: string; EndpointID: string }>;
}

async function endpoints(): Promise<Inspect['Containers']> {
  const reply = await rig.api('GET', '/networks/crashnet');
  return (reply.body as Inspect).Containers;
}

/** Checks the invariants after a restart: no duplicate address; kernel and store agree. */
async function checkInvariants(): Promise<void> {
  const attached = Object.entries(await endpoints());
  const addresses = attached.map(([, entry]) => entry.IPv4Address);
  expect(new Set(addresses).size, `duplicate addresses: ${addresses.join(' ')}`).toBe(addresses.length);
  // Every berth veth on the host belongs to a stored endpoint (orphans were removed at start).
  const links = await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show', 'type', 'veth']);
  const endpointIds = new Set(attached.map(([, entry]) => entry.EndpointID));
  const marked = [...links.matchAll(/alias berth:[0-9a-f]{64}:([0-9a-f]{64})/g)].map((match) => match[1] ?? '');
  expect(marked.filter((id) => !endpointIds.has(id))).toEqual([]);
  expect(marked.length).toBe(attached.length);
  // Every stored endpoint's address is on eth0 inside its sandbox.
  for (const [sandboxId, entry] of attached) {
    const inspect = (await rig.api('GET', `/containers/${sandboxId}/json`)).body as { NetworkSettings: { SandboxKey: string } };
    const shown = await rig.lab.run({ path: inspect.NetworkSettings.SandboxKey }, ['ip', '-o', '-4', 'addr', 'show']);
    expect(shown, `${entry.Name} lacks ${entry.IPv4Address}`).toContain(entry.IPv4Address);
  }
}

describe('kill -9 of berthd in the middle of connects', () => {
  test('after each restart: no duplicate IP, no leaked veth, acknowledged connects kept; the rest can connect', async () => {
    expect((await rig.api('POST', '/networks/create', { Name: 'crashnet', IPAM: { Config: [{ Subnet: '10.95.0.0/24' }] } })).status).toBe(201);
    const names = Array.from({ length: 24 }, (_, index) => `c${index}`);
    for (const name of names) expect((await rig.api('POST', '/berth/sandboxes', { Name: name })).status).toBe(201);
    const acknowledged = new Set<string>();
    const delays = [2, 8, 15, 5];
    const rounds: string[] = [];
    for (const delay of delays) {
      const attempts = names.map((name) =>
        rig.api('POST', '/networks/crashnet/connect', { Container: name }).then((reply) => {
          if (reply.status === 200) acknowledged.add(name);
        }, () => undefined),
      );
      // Kill once the first connect of the round was acknowledged (whatever the machine's speed), plus a
      // seeded delay, so the kill lands while the others are in flight.
      for (let waited = 0; acknowledged.size === 0 && waited < 5000; waited += 5) await sleep(5);
      await sleep(delay);
      await rig.kill();
      await Promise.allSettled(attempts);
      await rig.start();
      const attachedNames = new Set(Object.values(await endpoints()).map((entry) => entry.Name));
      for (const name of acknowledged) expect(attachedNames.has(name), `acknowledged connect of ${name} lost`).toBe(true);
      await checkInvariants();
      rounds.push(`${delay} ms: ${acknowledged.size} acknowledged, ${attachedNames.size} attached`);
      // Disconnect everything again for the next round, through the API.
      for (const name of attachedNames) expect((await rig.api('POST', '/networks/crashnet/disconnect', { Container: name })).status).toBe(200);
      acknowledged.clear();
    }
    // The kills must land mid-way at least once, or this test proves nothing.
    expect(rounds.some((round) => !round.includes(' 0 attached') && !round.includes(`${names.length} attached`)), rounds.join('; ')).toBe(true);
    // Finally every sandbox connects, and addresses are distinct.
    for (const name of names) expect((await rig.api('POST', '/networks/crashnet/connect', { Container: name })).status).toBe(200);
    await checkInvariants();
    expect(Object.keys(await endpoints()).length).toBe(names.length);
  }, 120_000);
});
