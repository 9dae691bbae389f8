import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NetworkController, ReconcileReport } from '../controller/index.js';
import type { DnsQueryOutcome } from '../../dns/index.js';

/** One finished API request: the route is the handler's name (bounded), `notFound` when none matched. */
export interface ApiRequestSample {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The reply's RCODE (low 4 bits of byte 3), or `dropped` when nothing was sent. */
function rcodeOf(response: Buffer | undefined): string {
  if (response === undefined || response.length < 4) return 'dropped';
  const code = (response[3] ?? 0) & 0x0f;
  return RCODES[code] ?? `RCODE${code}`;
}

/**
 * berthd's Prometheus metrics (docs/metrics.md), in their own registry. Object counts are
 * gauges read from the controller at scrape time, so they can never drift from the store;
 * everything else is counted as it happens through the observe* methods.
 */
export class BerthMetrics {
  readonly registry = new Registry();
  readonly #apiDuration: Histogram<'method' | 'route' | 'status'>;
  readonly #dnsQueries: Counter<'transport'>;
  readonly #dnsAnswers: Counter<'rcode'>;
  readonly #dnsFailures: Counter;
  readonly #dnsDuration: Histogram<'path'>;
  readonly #dnsForwards: Counter<'result'>;
  readonly #dnsForwardDuration: Histogram;
  readonly #reconcileRuns: Counter;
  readonly #reconcileRepairs: Counter<'kind'>;
  readonly #driftRepairs: Counter<'result'>;
  readonly #kernelDuration: Histogram<'kind' | 'result'>;

  constructor(options: {
    readonly controller: () => NetworkController;
    readonly processMetrics?: boolean;
    /** The firewall healer's counters (checks, heals, failures), read at scrape; absent with --firewall none. */
    readonly firewallHealing?: () => { readonly checks: number; readonly heals: number; readonly failures: number } | undefined;
  }) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'berthd_' });
    const controller = options.controller;
    new Gauge({ name: 'berth_networks', help: 'Networks, by driver', labelNames: ['driver'], registers, collect() {
      this.reset();
      for (const view of controller().listNetworks()) this.inc({ driver: view.network.driver });
    } });
    new Gauge({ name: 'berth_endpoints', help: 'Endpoints (a sandbox attached to a network), by driver', labelNames: ['driver'], registers, collect() {
      this.reset();
      for (const view of controller().listNetworks()) if (view.endpoints.length > 0) this.inc({ driver: view.network.driver }, view.endpoints.length);
    } });
    new Gauge({ name: 'berth_published_ports', help: 'Host ports published to sandboxes, by protocol', labelNames: ['protocol'], registers, collect() {
      this.reset();
      this.set({ protocol: 'tcp' }, 0);
      this.set({ protocol: 'udp' }, 0);
      for (const view of controller().listNetworks()) {
        for (const { endpoint } of view.endpoints) for (const port of endpoint.ports ?? []) this.inc({ protocol: port.protocol });
      }
    } });
    new Gauge({ name: 'berth_sandboxes', help: 'Sandboxes (network namespaces berth manages)', registers, collect() {
      this.set(controller().listSandboxes().length);
    } });
    this.#apiDuration = new Histogram({
      name: 'berth_api_request_duration_seconds', help: 'Engine API request latency, by method, route (handler) and status',
      labelNames: ['method', 'route', 'status'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.#dnsQueries = new Counter({ name: 'berth_dns_queries_total', help: 'Queries the embedded DNS answered or dropped, by transport', labelNames: ['transport'], registers });
    this.#dnsAnswers = new Counter({ name: 'berth_dns_answers_total', help: 'Embedded DNS replies, by RCODE (dropped: no reply)', labelNames: ['rcode'], registers });
    this.#dnsFailures = new Counter({ name: 'berth_dns_failures_total', help: 'Embedded DNS queries that ended in SERVFAIL or no reply', registers });
    this.#dnsDuration = new Histogram({
      name: 'berth_dns_query_duration_seconds', help: 'Embedded DNS time from query to reply, by path (fast: local fast path, full: query handler)',
      labelNames: ['path'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5], registers,
    });
    this.#dnsForwards = new Counter({ name: 'berth_dns_forwards_total', help: 'Queries forwarded upstream, by result (answered, failed)', labelNames: ['result'], registers });
    this.#dnsForwardDuration = new Histogram({ name: 'berth_dns_forward_duration_seconds', help: 'Time for a forwarded query over all upstreams', buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5], registers });
    this.#reconcileRuns = new Counter({ name: 'berth_reconcile_runs_total', help: 'Reconciliations of the kernel with the store (one per daemon start)', registers });
    this.#reconcileRepairs = new Counter({
      name: 'berth_reconcile_repairs_total', help: 'What reconciliation fixed, by kind (repaired, stale_sandbox, orphan_namespace, orphan_link, problem)',
      labelNames: ['kind'], registers,
    });
    for (const kind of ['repaired', 'stale_sandbox', 'orphan_namespace', 'orphan_link', 'problem']) this.#reconcileRepairs.inc({ kind }, 0);
    this.#driftRepairs = new Counter({
      name: 'berth_kernel_drift_findings_total', help: 'Kernel objects found removed behind berth\'s back while running, by result (repaired, unrepaired)',
      labelNames: ['result'], registers,
    });
    this.#kernelDuration = new Histogram({
      name: 'berth_kernel_operation_duration_seconds', help: 'Kernel operations (netlink, namespaces, sysctls, firewall transactions) by kind ("links.create", "firewall.apply") and result (ok, error)',
      labelNames: ['kind', 'result'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers,
    });
    this.#driftRepairs.inc({ result: 'repaired' }, 0);
    this.#driftRepairs.inc({ result: 'unrepaired' }, 0);
    const healing = options.firewallHealing;
    if (healing !== undefined) {
      // The healer keeps its own totals; these counters mirror them at each scrape.
      const mirror = (name: string, help: string, pick: (counters: { checks: number; heals: number; failures: number }) => number): void => {
        new Counter({ name, help, registers, collect() {
          const counters = healing();
          this.reset();
          if (counters !== undefined) this.inc(pick(counters));
        } });
      };
      mirror('berth_firewall_checks_total', 'Checks of berth\'s firewall rules against what they should be (notifications and the periodic check)', (c) => c.checks);
      mirror('berth_firewall_heals_total', 'Times berth re-applied its firewall rules after another program changed or flushed them', (c) => c.heals);
      mirror('berth_firewall_heal_failures_total', 'Firewall checks or re-applications that failed', (c) => c.failures);
    }
  }

  observeApiRequest(sample: ApiRequestSample): void {
    this.#apiDuration.observe({ method: sample.method, route: sample.route, status: String(sample.status) }, sample.seconds);
  }

  observeDnsQuery(outcome: DnsQueryOutcome): void {
    const rcode = rcodeOf(outcome.response);
    this.#dnsQueries.inc({ transport: outcome.transport });
    this.#dnsAnswers.inc({ rcode });
    if (rcode === 'SERVFAIL' || rcode === 'dropped') this.#dnsFailures.inc();
    this.#dnsDuration.observe({ path: outcome.path }, outcome.seconds);
  }

  observeDnsForward(result: { readonly answered: boolean; readonly seconds: number }): void {
    this.#dnsForwards.inc({ result: result.answered ? 'answered' : 'failed' });
    this.#dnsForwardDuration.observe(result.seconds);
  }

  observeReconcile(report: ReconcileReport): void {
    this.#reconcileRuns.inc();
    this.#reconcileRepairs.inc({ kind: 'repaired' }, report.repaired.length);
    this.#reconcileRepairs.inc({ kind: 'stale_sandbox' }, report.staleSandboxes.length);
    this.#reconcileRepairs.inc({ kind: 'orphan_namespace' }, report.orphanNamespaces.length);
    this.#reconcileRepairs.inc({ kind: 'orphan_link' }, report.orphanLinks.length);
    this.#reconcileRepairs.inc({ kind: 'problem' }, report.problems.length);
  }

  /** One timed kernel operation (timedKernel, timedFirewall). */
  observeKernelOperation(operation: { readonly kind: string; readonly seconds: number; readonly ok: boolean }): void {
    this.#kernelDuration.observe({ kind: operation.kind, result: operation.ok ? 'ok' : 'error' }, operation.seconds);
  }

  /** Findings of one kernel-drift check (src/controller/kernel-drift.ts). */
  observeDriftFindings(findings: readonly { readonly repaired: boolean }[]): void {
    for (const finding of findings) this.#driftRepairs.inc({ result: finding.repaired ? 'repaired' : 'unrepaired' });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
