/** dnsperf and iperf3 from the lab side, entering a container's (sandbox's) namespace with nsenter. */
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Lab } from '../../src/lab/index.js';
import type { Netns } from '../../src/kernel/index.js';

export interface Perf {
  readonly qps: number;
  readonly latencyMs: number;
  readonly lost: number;
  /** The slowest answer, ms (one outlier moves a c1q1 average on a loaded machine). */
  readonly maxMs: number;
  /** Share of NOERROR answers, in percent. */
  readonly noerror: number;
}

/** dnsperf from inside `netns` against 127.0.0.11 (the embedded DNS of either side). */
export async function dnsperf(netns: Netns, init: { readonly queries: string; readonly clients: number; readonly outstanding: number; readonly seconds: number }): Promise<Perf> {
  const args = ['-s', '127.0.0.11', '-d', init.queries, '-c', String(init.clients), '-T', String(Math.min(init.clients, 2)), '-q', String(init.outstanding), '-l', String(init.seconds), '-t', '2'];
  const result = await execa('nsenter', [`--net=${netns.path}`, 'dnsperf', ...args], { timeout: (init.seconds + 30) * 1000 });
  const number = (pattern: RegExp): number => Number(pattern.exec(result.stdout)?.[1] ?? Number.NaN);
  return {
    qps: number(/Queries per second:\s+([\d.]+)/),
    latencyMs: number(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lost: number(/Queries lost:\s+(\d+)/),
    maxMs: number(/Average Latency \(s\):\s+[\d.]+ \(min [\d.]+, max ([\d.]+)\)/) * 1000,
    noerror: number(/NOERROR\s+\d+\s+\(([\d.]+)%\)/),
  };
}

const IPERF_PORT = 5201;

/** Starts `iperf3 -s` inside a namespace (tracked by the lab, killed at its teardown) and waits until it listens. */
export async function iperfServer(lab: Lab, netns: Netns): Promise<ChildProcess> {
  const child = lab.spawn(netns, ['iperf3', '-s', '-p', String(IPERF_PORT)]);
  child.stdout?.resume();
  child.stderr?.resume();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`iperf3 -s exited with ${child.exitCode}`);
    if ((await lab.run(netns, ['ss', '-Htln', `sport = :${IPERF_PORT}`])).trim() !== '') return child;
    await sleep(100);
  }
  await stopChild(child);
  throw new Error(`iperf3 -s in ${netns.path} did not listen`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

export interface IperfTarget {
  readonly from: Netns;
  readonly ip: string;
  readonly port: number;
}

/** One single-stream iperf3 client run of `seconds`; bits per second received. */
export async function iperf(lab: Lab, init: IperfTarget & { readonly seconds: number }): Promise<number> {
  const args = ['iperf3', '-c', init.ip, '-p', String(init.port), '-t', String(init.seconds), '-J', '--connect-timeout', '3000'];
  const output = await lab.run(init.from, args, { timeoutMs: (init.seconds + 15) * 1000 });
  const result = JSON.parse(output) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  const bps = result.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error(`iperf3 to ${init.ip}:${init.port}: ${result.error ?? 'no end.sum_received'}`);
  return bps;
}

export { IPERF_PORT };
