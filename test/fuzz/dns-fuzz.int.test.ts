import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

const SEED = 20_240_611;

/**
 * Runs inside a sandbox's namespace (nsenter --net): sends seeded random and mutated DNS
 * messages to 127.0.0.11:53 over UDP, and over TCP (random frames, lying length prefixes,
 * half-sent frames, connections dropped mid-message). Plain JavaScript, no imports beyond node.
 */
const SENDER = String.raw`
import dgram from 'node:dgram';
import net from 'node:net';
let state = Number(process.argv[1]) >>> 0;
const rand = () => { state = (state + 0x6d2b79f5) >>> 0; let t = state; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const int = (n) => Math.floor(rand() * n);
function query(name, type) {
  const labels = name.split('.').flatMap((label) => [Buffer.from([label.length]), Buffer.from(label)]);
  return Buffer.concat([Buffer.from([int(256), int(256), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
}
function mutant() {
  const kind = int(6);
  if (kind === 0) return Buffer.from(Array.from({ length: int(600) }, () => int(256)));
  const base = query(['peer', 'peer.fuzznet', 'example.com', 'a'.repeat(63) + '.x', '1.0.77.10.in-addr.arpa'][int(5)], [1, 28, 12, 255, 16, 0][int(6)]);
  if (kind === 1) return base.subarray(0, int(base.length));
  if (kind === 2) { for (let i = 0; i < 1 + int(6); i += 1) base[int(base.length)] = int(256); return base; }
  if (kind === 3) { base[5] = int(256); base[7] = int(256); base[9] = int(256); base[11] = int(256); return base; }
  if (kind === 4) return Buffer.concat([base.subarray(0, 12), Buffer.from([0xc0, 12, 0xc0, 12]), base.subarray(12)]);
  return Buffer.concat([base, Buffer.from(Array.from({ length: int(3000) }, () => int(256)))]);
}
const udp = dgram.createSocket('udp4');
for (let i = 0; i < 3000; i += 1) { udp.send(mutant(), 53, '127.0.0.11'); if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5)); }
await new Promise((r) => setTimeout(r, 200));
udp.close();
for (let i = 0; i < 150; i += 1) {
  await new Promise((resolve) => {
    const socket = net.connect(53, '127.0.0.11');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => {
      const body = mutant();
      const length = [body.length, int(65536), 0, body.length + 10][int(4)];
      const frame = Buffer.concat([Buffer.from([length >> 8, length & 255]), body]);
      const cut = int(3) === 0 ? int(frame.length) : frame.length;
      socket.write(frame.subarray(0, cut));
      if (int(2) === 0) socket.destroy(); else socket.end();
    });
    socket.resume();
  });
}
process.stdout.write('sent\n');
`;

let rig: DaemonRig;
let key: string;
beforeAll(async () => {
  rig = await startDaemon();
  expect((await rig.api('POST', '/networks/create', { Name: 'fuzznet', IPAM: { Config: [{ Subnet: '10.77.0.0/24' }] } })).status).toBe(201);
  expect((await rig.api('POST', '/berth/sandboxes', { Name: 'peer', Networks: [{ Network: 'fuzznet' }] })).status).toBe(201);
  expect((await rig.api('POST', '/berth/sandboxes', { Name: 'asker', Networks: [{ Network: 'fuzznet' }] })).status).toBe(201);
  key = ((await rig.api('GET', '/containers/asker/json')).body as { NetworkSettings: { SandboxKey: string } }).NetworkSettings.SandboxKey;
}, 60_000);
afterAll(async () => {
  await rig.close();
});

async function dig(args: readonly string[]): Promise<string> {
  const result = await execa('nsenter', [`--net=${key}`, 'dig', '@127.0.0.11', '+tries=1', '+time=3', '+short', ...args], { reject: false, timeout: 15_000 });
  return result.stdout.trim();
}

describe('DNS fuzzing of the embedded resolver (UDP and TCP, inside a sandbox)', () => {
  test('after 3000 mutated UDP messages and 150 hostile TCP connections, the resolver answers and berthd lives', async () => {
    const before = await dig(['peer']);
    expect(before).toMatch(/^10\.77\.0\.\d+$/);
    const sent = await execa('nsenter', [`--net=${key}`, process.execPath, '--input-type=module', '-e', SENDER, String(SEED)], { timeout: 50_000 });
    expect(sent.stdout).toBe('sent');
    expect(rig.daemon.exitCode).toBeNull();
    expect(await dig(['peer'])).toBe(before);
    expect(await dig(['+tcp', 'peer'])).toBe(before);
    expect((await rig.api('GET', '/_ping')).status).toBe(200);
  }, 60_000);
});
