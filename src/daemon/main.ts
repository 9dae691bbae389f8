#!/usr/bin/env node
/**
 * berthd's composition root: the one file that imports concrete classes from every layer
 * and wires them (STYLE.md 2.1).
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { Controller } from '../controller/index.js';
import type { Logger } from '../controller/index.js';
import { LinuxKernel, processAlive, raiseOpenFileLimit, releaseFreeMemory, spawnSandboxProcess } from '../kernel/linux/index.js';
import { createFirewall } from '../kernel/linux/firewall/index.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { DefaultIpam, parseDefaultAddressPool } from '../../ipam/index.js';
import { BridgeDriver, HostDriver, IpvlanDriver, MacvlanDriver, NullDriver, ParentRegistry } from '../../drivers/index.js';
import { createApiServer, listenUnix } from '../api/index.js';
import { daemonCommand, resolveDaemonOptions } from './options.js';
import type { DaemonOptions } from './options.js';
import { ProcessRunner } from './process-runner.js';
import { IdleTrimmer } from './idle-trim.js';
import { acquirePidFile } from './pid-file.js';
import { BERTH_VERSION } from '../version.js';
import { predefinedNetworks } from './predefined-networks.js';
import { prepareDockerPlugin } from './docker-plugin.js';
import { wireCluster } from './cluster-wiring.js';
import { systemReset } from './system-reset.js';
import { applySocketGroup } from './socket-group.js';
import { listenTls } from './tls.js';
import { EmbeddedDns, createForwarder, createQueryHandler } from '../../dns/index.js';
import type { DnsQueryOutcome } from '../../dns/index.js';
import { EventBus, EventedController } from '../events/index.js';
import { BerthMetrics, observedForwarder, serveMetrics, timedFirewall, timedKernel } from '../metrics/index.js';
import type { ApiRequestSample, KernelObserver } from '../metrics/index.js';
import { startFirewallHealing } from './firewall-heal.js';
import { watchKernelDrift } from './kernel-drift-watch.js';

async function start(options: DaemonOptions): Promise<void> {
  const log = pino({ level: options.logLevel, base: { pid: process.pid } });
  const logger: Logger = {
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
  mkdirSync(options.root, { recursive: true, mode: 0o700 });
  mkdirSync(options.runRoot, { recursive: true, mode: 0o755 });
  const releasePid = acquirePidFile(join(options.runRoot, 'berthd.pid'));
  log.debug({ openFiles: raiseOpenFileLimit() }, 'open-file limit');
  // --metrics-addr: object gauges read the (evented) controller at scrape time, the rest is counted as it happens.
  const metrics = options.metrics === undefined ? undefined : new BerthMetrics({ controller: () => api, firewallHealing: () => healing?.healer.counters });
  const observeKernel: KernelObserver = (operation) => metrics?.observeKernelOperation(operation);
  const plainFirewall = createFirewall({ backend: options.firewall, log: (message) => log.warn(message) });
  const firewall = metrics === undefined ? plainFirewall : timedFirewall(plainFirewall, observeKernel);
  const linuxKernel = new LinuxKernel({ netnsDir: join(options.runRoot, 'netns'), firewall });
  const kernel = metrics === undefined ? linuxKernel : timedKernel(linuxKernel, observeKernel);
  const store = SqliteStore.open(join(options.root, 'berth.db'));
  const ipam = new DefaultIpam({ ...(options.defaultAddressPools.length === 0 ? {} : { defaultPools: options.defaultAddressPools.map((pool) => parseDefaultAddressPool(pool)) }) });
  const sandboxDir = join(options.runRoot, 'sandboxes');
  const plainForwarder = createForwarder({ sockets: kernel.sockets, timeoutMs: options.dnsTimeoutMs });
  const forwarder = metrics === undefined ? plainForwarder : observedForwarder(plainForwarder, (result) => metrics.observeDnsForward(result));
  const dns = new EmbeddedDns({
    sockets: kernel.sockets,
    handler: createQueryHandler({ forwarder }),
    ttl: options.dnsTtl,
    onError: (error, sandboxId) => log.warn({ sandbox: sandboxId, error: error.message }, 'embedded DNS socket error'),
    ...(metrics === undefined ? {} : { observer: (outcome: DnsQueryOutcome) => metrics.observeDnsQuery(outcome) }),
  });
  // macvlan and ipvlan share one registry: a parent interface serves one network of either.
  const parents = new ParentRegistry();
  // --cluster-store: global networks in etcd, the overlay driver, the cluster sync (docs/overlay.md).
  const clustered = await wireCluster({ options: options.cluster, root: options.root, local: store, host: kernel.in(kernel.netns.host), log: logger });
  const bridge = new BridgeDriver({ host: kernel.in(kernel.netns.host), firewall, sockets: kernel.sockets });
  const drivers = [bridge, new NullDriver(), new HostDriver(),
    new MacvlanDriver({ kernel, registry: parents }), new IpvlanDriver({ kernel, registry: parents }), ...clustered.drivers];
  const plugin = options.dockerPlugin === undefined
    ? undefined
    : await prepareDockerPlugin({ socket: options.dockerPlugin, root: options.root, drivers, ipam, hostNetnsPath: kernel.netns.host.path, log: logger });
  const { controller, report } = await Controller.start({
    store: clustered.store,
    ...(clustered.cluster === undefined ? {} : { cluster: clustered.cluster }),
    kernel,
    drivers,
    ...(plugin === undefined ? {} : { foreignNetworks: () => plugin.networkIds() }),
    ipams: [ipam],
    paths: { netnsDir: join(options.runRoot, 'netns'), sandboxDir, hostResolvConf: options.hostResolvConf, upstreamDns: options.dnsUpstream },
    log: logger,
    predefined: predefinedNetworks({ bip: options.bip }),
    dns,
  });
  log.info({ report }, 'reconciled kernel with store');
  metrics?.observeReconcile(report);
  // Another program flushing or rewriting the firewall: berth's rules come back (docs/reliability.md).
  const healing = startFirewallHealing({ backend: firewall.name, target: bridge.firewall, netnsPath: kernel.netns.host.path, log: logger });
  // A bridge or veth deleted by hand, a sandbox namespace gone: repaired, and shown in network inspect.
  const stopDriftWatch = watchKernelDrift({ repair: async () => {
    const findings = await controller.repairKernelDrift();
    metrics?.observeDriftFindings(findings);
  }, netnsPath: kernel.netns.host.path, log: logger });
  await plugin?.serve();
  // GET /events: every change made through the API (and the runner) is published after it succeeds.
  const events = new EventBus();
  const api = new EventedController({ controller, sink: events });
  const runner = new ProcessRunner({ controller: api, sandboxDir, spawn: spawnSandboxProcess, alive: processAlive, log: logger });
  const onRequest = metrics === undefined ? {} : { onRequest: (sample: ApiRequestSample) => metrics.observeApiRequest(sample) };
  // POST /berth/system/reset: after the controller part berthd stops, removing berth0 and its firewall tables on the way out.
  const resetting = systemReset({ controller: api, drivers, firewall, hostNetns: kernel.netns.host, log: logger, stop: () => stop('system reset') });
  const reset = resetting.hook;
  const server = createApiServer({ controller: api, runner, log: logger, version: BERTH_VERSION, events, reset, ...onRequest });
  const trimmer = new IdleTrimmer({ trim: releaseFreeMemory });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') response.once('finish', () => trimmer.touch());
  });
  await listenUnix(server, options.socket);
  const socketGid = applySocketGroup(options.socket, options.socketGroup);
  // -H tcp://: TLS with verified client certificates only (options.ts refuses it without the files).
  const tls = options.tls;
  const tcpServers = tls === undefined ? [] : await Promise.all(options.hosts.map(async (host) => {
    const [address = '', port] = host.slice('tcp://'.length).split(/:(?=\d+$)/);
    const tcp = createApiServer({ controller: api, runner, log: logger, version: BERTH_VERSION, events, reset, ...onRequest });
    const onClientError = (error: Error, remote: string): void => log.warn({ remote, error: error.message }, 'TLS client refused');
    return listenTls(tcp, { address: address.replace(/^\[|\]$/g, ''), port: Number(port), files: tls, onClientError });
  }));
  const metricsServer = metrics === undefined || options.metrics === undefined ? undefined : await serveMetrics({ source: metrics, address: options.metrics });
  log.info({ socket: options.socket, tcp: options.hosts, firewall: firewall.transport, version: BERTH_VERSION, metrics: options.metrics, socketGid }, 'berthd ready');
  const stop = (signal: string): void => {
    log.info({ signal }, 'berthd stopping');
    trimmer.stop();
    healing?.close();
    stopDriftWatch();
    plugin?.close();
    for (const tcp of tcpServers) tcp.close();
    metricsServer?.close();
    // After `berth system reset` the predefined networks' kernel objects go now, with the repair loops off.
    server.close(() => void resetting.cleanUp().finally(() => {
      dns.close();
      forwarder.close();
      clustered.store.close();
      kernel.close();
      releasePid();
      log.info({}, 'berthd stopped');
      process.exit(0);
    }));
    server.closeAllConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  const command = daemonCommand(BERTH_VERSION);
  command.parse(process.argv);
  try {
    await start(resolveDaemonOptions(command));
  } catch (error) {
    process.stderr.write(`berthd: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

await main();
