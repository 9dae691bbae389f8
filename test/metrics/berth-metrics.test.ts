import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createApiServer, listenUnix } from '../../src/api/index.js';
import { BerthMetrics, observedForwarder, serveMetrics } from '../../src/metrics/index.js';
import type { Forwarder } from '../../dns/index.js';
import { FakeController } from '../support/fake-controller.js';

let directory: string;
let controller: FakeController;
let metrics: BerthMetrics;
const servers: Server[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'berth-metrics-'));
  controller = new FakeController();
  metrics = new BerthMetrics({ controller: () => controller, processMetrics: false });
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  rmSync(directory, { recursive: true, force: true });
});

function get(socketPath: string, path: string): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample line (`name{labels} value`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('BerthMetrics', () => {
  test('object gauges are read from the controller at scrape time', async () => {
    expect(sample((await metrics.scrape()).text, 'berth_networks{driver="bridge"}')).toBe(1);
    await controller.createNetwork({ name: 'front' });
    await controller.createNetwork({ name: 'lan', driver: 'macvlan' });
    await controller.createSandbox({ name: 'web', networks: [{ network: 'front' }], ports: ['8080:80'] });
    await controller.createSandbox({ name: 'idle' });
    const { text } = await metrics.scrape();
    expect(sample(text, 'berth_networks{driver="bridge"}')).toBe(2);
    expect(sample(text, 'berth_networks{driver="macvlan"}')).toBe(1);
    expect(sample(text, 'berth_endpoints{driver="bridge"}')).toBe(1);
    expect(sample(text, 'berth_sandboxes')).toBe(2);
    expect(sample(text, 'berth_published_ports{protocol="udp"}')).toBe(0);
    await controller.removeSandbox({ sandbox: 'web', force: true });
    expect(sample((await metrics.scrape()).text, 'berth_endpoints{driver="bridge"}')).toBeUndefined();
  });

  test('API requests are timed by handler name and status through createApiServer({onRequest})', async () => {
    const socket = join(directory, 'api.sock');
    const server = createApiServer({ controller, log: { debug: () => undefined, error: () => undefined }, version: '1', onRequest: (s) => metrics.observeApiRequest(s) });
    servers.push(server);
    await listenUnix(server, socket);
    await get(socket, '/v1.44/networks');
    await get(socket, '/networks/nope');
    await get(socket, '/nothing/here');
    const { text } = await metrics.scrape();
    expect(sample(text, 'berth_api_request_duration_seconds_count{method="GET",route="listNetworks",status="200"}')).toBe(1);
    expect(sample(text, 'berth_api_request_duration_seconds_count{method="GET",route="inspectNetwork",status="404"}')).toBe(1);
    expect(sample(text, 'berth_api_request_duration_seconds_count{method="GET",route="notFound",status="404"}')).toBe(1);
  });

  test('DNS queries by transport and RCODE, failures, forwards through observedForwarder', async () => {
    const reply = (rcode: number): Buffer => Buffer.from([0, 1, 0x81, 0x80 | rcode, 0, 0, 0, 0, 0, 0, 0, 0]);
    metrics.observeDnsQuery({ transport: 'udp', path: 'fast', response: reply(0), seconds: 0.0001 });
    metrics.observeDnsQuery({ transport: 'udp', path: 'full', response: reply(3), seconds: 0.001 });
    metrics.observeDnsQuery({ transport: 'tcp', path: 'full', response: reply(2), seconds: 1 });
    metrics.observeDnsQuery({ transport: 'udp', path: 'full', response: undefined, seconds: 0.001 });
    const answers = [Buffer.from('x'), undefined];
    const inner: Forwarder = { forward: () => Promise.resolve(answers.shift()), inFlight: 0, close: () => undefined };
    const forwarder = observedForwarder(inner, (result) => metrics.observeDnsForward(result));
    await forwarder.forward(Buffer.alloc(0), { transport: 'udp', upstreams: [] });
    await forwarder.forward(Buffer.alloc(0), { transport: 'udp', upstreams: [] });
    const { text } = await metrics.scrape();
    expect(sample(text, 'berth_dns_queries_total{transport="udp"}')).toBe(3);
    expect(sample(text, 'berth_dns_queries_total{transport="tcp"}')).toBe(1);
    expect(sample(text, 'berth_dns_answers_total{rcode="NOERROR"}')).toBe(1);
    expect(sample(text, 'berth_dns_answers_total{rcode="NXDOMAIN"}')).toBe(1);
    expect(sample(text, 'berth_dns_answers_total{rcode="dropped"}')).toBe(1);
    expect(sample(text, 'berth_dns_failures_total')).toBe(2);
    expect(sample(text, 'berth_dns_query_duration_seconds_count{path="fast"}')).toBe(1);
    expect(sample(text, 'berth_dns_forwards_total{result="answered"}')).toBe(1);
    expect(sample(text, 'berth_dns_forwards_total{result="failed"}')).toBe(1);
  });

  test('reconcile runs and repairs by kind', async () => {
    metrics.observeReconcile({ replayedNetworks: 2, replayedEndpoints: 1, staleSandboxes: ['a'], orphanNamespaces: [], orphanLinks: ['x', 'y'], repaired: ['br-1'], problems: [] });
    const { text } = await metrics.scrape();
    expect(sample(text, 'berth_reconcile_runs_total')).toBe(1);
    expect(sample(text, 'berth_reconcile_repairs_total{kind="orphan_link"}')).toBe(2);
    expect(sample(text, 'berth_reconcile_repairs_total{kind="repaired"}')).toBe(1);
    expect(sample(text, 'berth_reconcile_repairs_total{kind="orphan_namespace"}')).toBe(0);
  });

  test('firewall healing counters are mirrored at scrape; drift findings by result', async () => {
    const counters = { checks: 4, heals: 1, failures: 0 };
    const healing = new BerthMetrics({ controller: () => controller, processMetrics: false, firewallHealing: () => counters });
    healing.observeDriftFindings([{ repaired: true }, { repaired: true }, { repaired: false }]);
    let text = (await healing.scrape()).text;
    expect(sample(text, 'berth_firewall_checks_total')).toBe(4);
    expect(sample(text, 'berth_firewall_heals_total')).toBe(1);
    expect(sample(text, 'berth_kernel_drift_findings_total{result="repaired"}')).toBe(2);
    expect(sample(text, 'berth_kernel_drift_findings_total{result="unrepaired"}')).toBe(1);
    counters.heals = 3;
    text = (await healing.scrape()).text;
    expect(sample(text, 'berth_firewall_heals_total')).toBe(3);
    expect((await metrics.scrape()).text).not.toContain('berth_firewall_heals_total');
  });

  test('serveMetrics: GET /metrics in Prometheus text on a unix socket, 404 elsewhere', async () => {
    const socket = join(directory, 'metrics.sock');
    servers.push(await serveMetrics({ source: metrics, address: { kind: 'unix', path: socket } }));
    const reply = await get(socket, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toContain('text/plain');
    expect(reply.text).toContain('# TYPE berth_networks gauge');
    expect((await get(socket, '/')).status).toBe(404);
  });
});
