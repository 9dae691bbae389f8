import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-ev' });
});
afterAll(async () => {
  await rig.close();
});

interface Message {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Record<string, string> };
  readonly scope: string;
}

async function docker(args: readonly string[]): Promise<string> {
  const result = await rig.docker(args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const seconds = (): string => (Date.now() / 1000).toFixed(3);

describe('events through the real docker CLI', () => {
  test('docker events --since --until shows network create/connect/disconnect/destroy', async () => {
    const since = (Date.now() / 1000 - 1).toFixed(3);
    const networkId = (await docker(['network', 'create', '--subnet', '10.61.0.0/24', 'evnet'])).trim();
    const created = await rig.api('POST', '/berth/sandboxes', { Name: 'evbox' });
    expect(created.status).toBe(201);
    const sandboxId = (created.body as { Id: string }).Id;
    await docker(['network', 'connect', 'evnet', 'evbox']);
    await docker(['network', 'disconnect', 'evnet', 'evbox']);
    expect((await rig.api('DELETE', '/containers/evbox')).status).toBe(204);
    await docker(['network', 'rm', 'evnet']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const until = seconds();

    const lines = (await docker(['events', '--since', since, '--until', until, '--filter', 'type=network', '--format', '{{json .}}'])).trim().split('\n');
    const events = lines.map((line) => JSON.parse(line) as Message);
    expect(events.map((event) => event.Action)).toEqual(['create', 'connect', 'disconnect', 'destroy']);
    for (const event of events) expect(event).toMatchObject({ Type: 'network', scope: 'local', Actor: { ID: networkId, Attributes: { name: 'evnet', type: 'bridge' } } });
    expect(events[1]?.Actor.Attributes['container']).toBe(sandboxId);

    // docker's own text format, a filter on the network name, and sandboxes as containers.
    const text = await docker(['events', '--since', since, '--until', until, '--filter', 'network=evnet', '--filter', 'event=connect']);
    expect(text, text).toMatch(new RegExp(`^\\S+ network connect ${networkId} \\(container=${sandboxId}, name=evnet, type=bridge\\)$`));
    const containers = (await docker(['events', '--since', since, '--until', until, '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}'])).trim();
    expect(containers.split('\n')).toEqual(['create evbox', 'destroy evbox']);

    // berth events prints the same.
    const berth = await rig.berth(['events', '--since', since, '--until', until, '--filter', 'type=network']);
    expect(berth.exitCode).toBe(0);
    expect(berth.stdout.trim().split('\n').map((line) => line.split(' ').slice(1, 3).join(' '))).toEqual(['network create', 'network connect', 'network disconnect', 'network destroy']);
  });

  test('docker events streams live until --until', async () => {
    // Like Docker, `until` alone also replays the buffer from its start: `since` now keeps it live only.
    const since = seconds();
    // Events between `since` and the CLI's connection are replayed from the buffer, so a slow start loses nothing.
    const until = ((Date.now() + 6000) / 1000).toFixed(3);
    const watching = rig.docker(['events', '--since', since, '--until', until, '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    await docker(['network', 'create', 'livenet']);
    await docker(['network', 'rm', 'livenet']);
    const result = await watching;
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['network create livenet', 'network destroy livenet']);
  });
});
