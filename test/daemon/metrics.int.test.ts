import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon, startFakeUpstream, stopProcess } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

let rig: DaemonRig;
let dir: string;
let socket: string;
let upstream: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-metrics-'));
  socket = join(dir, 'metrics.sock');
  rig = await startDaemon({ prefix: 'berth-mx', args: ['--metrics-addr', `unix://${socket}`, '--dns-timeout', '800'] });
  upstream = await startFakeUpstream(rig.lab, { netns: rig.lab.router.netns, listen: `${rig.lab.router.ip}:53`, records: { 'www.example.test': '192.0.2.80' } });
});
afterAll(async () => {
  await stopProcess(upstream);
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: '/metrics' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function dig(sandbox: string, name: string): Promise<string> {
  const inspect = (await rig.api('GET', `/containers/${sandbox}/json`)).body as { NetworkSettings: { SandboxKey: string } };
  const result = await execa('nsenter', [`--net=${inspect.NetworkSettings.SandboxKey}`, 'dig', '@127.0.0.11', '+tries=1', '+time=3', '+short', name], { reject: false, timeout: 20_000 });
  return result.stdout.trim();
}

describe('berthd --metrics-addr', () => {
  test('gauges, API latency, DNS and reconcile metrics move with what the daemon does', async () => {
    const before = await scrape();
    expect(value(before, 'berth_reconcile_runs_total')).toBe(1);
    expect(value(before, 'berth_networks{driver="bridge"}')).toBe(1);
    expect(value(before, 'berth_sandboxes')).toBe(0);
    expect(before).toContain('berthd_process_resident_memory_bytes');

    await berth(['network', 'create', '--subnet', '10.63.0.0/24', 'mx']);
    await berth(['run', '-d', '--name', 'web', '--network', 'mx', '-p', '8080:80', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'client', '--network', 'mx', '--', 'sleep', '600']);
    await berth(['network', 'ls']);
    const webIp = ((await rig.api('GET', '/containers/web/json')).body as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }).NetworkSettings.Networks['mx']?.IPAddress;
    expect(await dig('client', 'web')).toBe(webIp);
    expect(await dig('client', 'www.example.test')).toBe('192.0.2.80');

    const after = await scrape();
    expect(value(after, 'berth_networks{driver="bridge"}')).toBe(2);
    expect(value(after, 'berth_endpoints{driver="bridge"}')).toBe(2);
    expect(value(after, 'berth_sandboxes')).toBe(2);
    expect(value(after, 'berth_published_ports{protocol="tcp"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'berth_api_request_duration_seconds_count{method="POST",route="createNetwork",status="201"}')).toBe(1);
    expect(value(after, 'berth_api_request_duration_seconds_count{method="POST",route="createSandbox",status="201"}')).toBe(2);
    expect(value(after, 'berth_api_request_duration_seconds_count{method="GET",route="listNetworks",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'berth_dns_queries_total{transport="udp"}')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'berth_dns_answers_total{rcode="NOERROR"}')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'berth_dns_forwards_total{result="answered"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'berth_kernel_operation_duration_seconds_count{kind="links.create",result="ok"}')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'berth_kernel_operation_duration_seconds_count{kind="netns.create",result="ok"}')).toBe(2);
    expect(value(after, 'berth_kernel_operation_duration_seconds_count{kind="firewall.apply",result="ok"}')).toBeGreaterThanOrEqual(1);

    // Another program deletes berth's firewall table and a bridge: the healers put them back, the metrics count it.
    const bridge = `br-${((await rig.api('GET', '/networks/mx')).body as { Id: string }).Id.slice(0, 12)}`;
    await rig.lab.run(rig.host.netns, ['nft', 'delete', 'table', 'inet', 'berth']);
    await rig.lab.run(rig.host.netns, ['ip', 'link', 'delete', bridge]);
    let healed = '';
    for (let waited = 0; waited < 15_000; waited += 200) {
      healed = await scrape();
      if (value(healed, 'berth_firewall_heals_total') >= 1 && value(healed, 'berth_kernel_drift_findings_total{result="repaired"}') >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(value(healed, 'berth_firewall_heals_total')).toBeGreaterThanOrEqual(1);
    expect(value(healed, 'berth_firewall_checks_total')).toBeGreaterThanOrEqual(1);
    expect(value(healed, 'berth_kernel_drift_findings_total{result="repaired"}')).toBeGreaterThanOrEqual(1);

    await berth(['rm', '-f', 'web', 'client']);
    await berth(['network', 'rm', 'mx']);
    const cleaned = await scrape();
    expect(value(cleaned, 'berth_networks{driver="bridge"}')).toBe(1);
    expect(value(cleaned, 'berth_sandboxes')).toBe(0);
    expect(value(cleaned, 'berth_published_ports{protocol="tcp"}')).toBe(0);
  });
});
