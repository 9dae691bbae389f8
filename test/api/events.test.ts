import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createApiServer, listenUnix } from '../../src/api/index.js';
import { runCli } from '../../src/cli/cli.js';
import { EventBus, EventedController } from '../../src/events/index.js';
import { FakeController } from '../support/fake-controller.js';

interface Message {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Record<string, string> };
  readonly scope: string;
  readonly time: number;
  readonly timeNano: number;
  readonly status?: string;
}

interface Rig {
  readonly socket: string;
  readonly fake: FakeController;
  readonly bus: EventBus;
  readonly api: EventedController;
  /** Sets the bus clock (nanoseconds); starts at 1_700_000_000 s. */
  clock: bigint;
}

let rig: Rig;
let server: Server;
let directory: string;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'berth-events-'));
  const fake = new FakeController();
  const state = { clock: 1_700_000_000_000_000_000n };
  const bus = new EventBus({ clock: () => state.clock });
  const api = new EventedController({ controller: fake, sink: bus });
  server = createApiServer({ controller: api, log: { debug: () => undefined, error: () => undefined }, version: '1.0.0', events: bus });
  const socket = join(directory, 'berth.sock');
  await listenUnix(server, socket);
  rig = Object.assign(state, { socket, fake, bus, api });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

/** GET path; collects the body until the server ends it or `stopAfter` lines arrived (then hangs up). */
function get(path: string, stopAfter?: number): Promise<{ status: number; contentType: string | undefined; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: rig.socket, path }, (res) => {
      let text = '';
      const done = (): void => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], lines: text.split('\n').filter((line) => line !== '') });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (stopAfter !== undefined && text.split('\n').length - 1 >= stopAfter) {
          done();
          req.destroy();
        }
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.end();
  });
}

const messages = (lines: readonly string[]): Message[] => lines.map((line) => JSON.parse(line) as Message);
const filters = (value: Record<string, string[]>): string => encodeURIComponent(JSON.stringify(value));

async function scenario(): Promise<{ networkId: string; sandboxId: string }> {
  const network = await rig.api.createNetwork({ name: 'front', labels: { tier: 'web' } });
  rig.clock += 1_000_000_000n;
  const sandbox = await rig.api.createSandbox({ name: 'web' });
  await rig.api.connect({ network: 'front', sandbox: 'web' });
  rig.clock += 1_000_000_000n;
  await rig.api.disconnect({ network: 'front', sandbox: 'web' });
  await rig.api.removeSandbox({ sandbox: 'web' });
  await rig.api.removeNetwork('front');
  rig.clock += 20_000_000_000n;
  return { networkId: network.network.id, sandboxId: sandbox.sandbox.id };
}

describe('GET /events', () => {
  test('since/until replay buffered events in Docker\'s message shape, then the stream ends', async () => {
    const { networkId, sandboxId } = await scenario();
    const reply = await get('/v1.44/events?since=1699999999&until=1700000010');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('application/json');
    const events = messages(reply.lines);
    expect(events.map((event) => `${event.Type} ${event.Action}`)).toEqual([
      'network create', 'container create', 'network connect', 'network disconnect', 'container destroy', 'network destroy',
    ]);
    expect(events[0]).toEqual({
      Type: 'network', Action: 'create', Actor: { ID: networkId, Attributes: { name: 'front', type: 'bridge' } },
      scope: 'local', time: 1_700_000_000, timeNano: 1_700_000_000_000_000_000,
    });
    expect(events[2]?.Actor).toEqual({ ID: networkId, Attributes: { name: 'front', type: 'bridge', container: sandboxId } });
    expect(events[1]).toMatchObject({ status: 'create', id: sandboxId, from: 'berth-sandbox', Actor: { ID: sandboxId, Attributes: { name: 'web', image: 'berth-sandbox' } } });
    // timeNano is exact in the text (a double would round it).
    expect(reply.lines[3]).toContain('"timeNano":1700000002000000000');
  });

  test('since and until bound the replay (inclusive); until alone replays from the start', async () => {
    await scenario();
    const middle = messages((await get('/events?since=1700000001&until=1700000001.000000001')).lines);
    expect(middle.map((event) => event.Action)).toEqual(['create', 'connect']);
    expect(messages((await get('/events?until=1700000000.5')).lines).map((event) => event.Action)).toEqual(['create']);
  });

  test('filters: type, event, network, container, as Docker matches them', async () => {
    const { sandboxId } = await scenario();
    const range = 'since=1699999999&until=1700000010';
    const actions = async (filter: Record<string, string[]>): Promise<string[]> =>
      messages((await get(`/events?${range}&filters=${filters(filter)}`)).lines).map((event) => `${event.Type} ${event.Action}`);
    expect(await actions({ type: ['container'] })).toEqual(['container create', 'container destroy']);
    expect(await actions({ event: ['connect', 'disconnect'] })).toEqual(['network connect', 'network disconnect']);
    expect(await actions({ network: ['front'], event: ['destroy'] })).toEqual(['network destroy']);
    expect(await actions({ container: [sandboxId.slice(0, 12)] })).toEqual(['container create', 'container destroy']);
    expect(await actions({ network: ['back'] })).toEqual([]);
  });

  test('without since the stream is live: events after the request arrive as they happen', async () => {
    await rig.api.createNetwork({ name: 'old' });
    const reply = get('/events', 2);
    while (rig.bus.subscribers === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await rig.api.createNetwork({ name: 'live' });
    await rig.api.removeNetwork('live');
    const events = messages((await reply).lines);
    expect(events.map((event) => `${event.Action} ${event.Actor.Attributes['name'] ?? ''}`)).toEqual(['create live', 'destroy live']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rig.bus.subscribers).toBe(0);
  });

  test('a future until ends the live stream at that time', async () => {
    rig.clock = BigInt(Date.now()) * 1_000_000n;
    const until = (Number(rig.clock / 1_000_000n) + 150) / 1000;
    const started = Date.now();
    // The bus clock is the test's: it moves past `until` when the timer fires.
    setTimeout(() => { rig.clock += 1_000_000_000n; }, 50);
    const reply = await get(`/events?until=${until.toFixed(3)}`);
    expect(reply.lines).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  test('prune publishes a destroy per removed network; failed calls publish nothing', async () => {
    await rig.api.createNetwork({ name: 'a' });
    await rig.api.createNetwork({ name: 'b' });
    await expect(rig.api.createNetwork({ name: 'a' })).rejects.toThrow();
    await expect(rig.api.removeNetwork('bridge')).rejects.toThrow();
    await rig.api.pruneNetworks();
    rig.clock += 5_000_000_000n;
    const events = messages((await get('/events?since=0&until=1700000001')).lines);
    expect(events.map((event) => `${event.Action} ${event.Actor.Attributes['name'] ?? ''}`)).toEqual(['create a', 'create b', 'destroy a', 'destroy b']);
  });

  test('bad since, since after until and unknown filters are 400', async () => {
    expect((await get('/events?since=yesterday')).status).toBe(400);
    expect((await get('/events?since=1700000010&until=1700000000')).status).toBe(400);
    expect((await get(`/events?filters=${filters({ image: ['x'] })}`)).status).toBe(400);
  });
});

describe('berth events', () => {
  async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      io: { out: (text) => { stdout += text; }, err: (text) => { stderr += text; }, interactive: false, readLine: () => Promise.resolve(''), run: () => Promise.resolve(0) },
      env: { BERTH_HOST: `unix://${rig.socket}` }, version: '1.0.0',
    });
    return { code, stdout, stderr };
  }

  test('prints buffered events as docker events does, with filters', async () => {
    const { networkId, sandboxId } = await scenario();
    const result = await cli(['events', '--since', '1699999999', '--until', '1700000010', '--filter', 'type=network', '--filter', 'event=connect']);
    expect(result).toEqual({ code: 0, stderr: '', stdout: `2023-11-14T22:13:21.000000001Z network connect ${networkId} (container=${sandboxId}, name=front, type=bridge)\n` });
    const json = await cli(['events', '--since', '1699999999', '--until', '1700000010', '--format', 'json', '-f', 'type=container']);
    expect(json.stdout.trim().split('\n').map((line) => (JSON.parse(line) as Message).Action)).toEqual(['create', 'destroy']);
  });

  test('a daemon error is printed and exits 1', async () => {
    const result = await cli(['events', '--filter', 'image=x', '--until', '1700000010']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error response from daemon: invalid filter 'image'");
  });
});
