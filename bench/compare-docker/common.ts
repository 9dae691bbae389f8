/** Helpers of bench/compare-docker: statistics, timing, an Engine API client over a unix socket, wording. */
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
export { QUICK, median, percentile, timed } from '../stats.js';

/** The machine's 1/5/15-minute load averages: other work on this shared machine shows in the numbers. */
export function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}

/** An Engine API call that must succeed (status < 300); resolves with the parsed body. */
export type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * A JSON client for an Engine API on a unix socket — the same code for dockerd and berthd, so
 * both sides are timed through the same client. Every call is bounded by `timeoutMs`.
 */
export function engineApi(socketPath: string, timeoutMs = 60_000): Api {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length };
      const req = request({ socketPath, method, path, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 300) {
            reject(new Error(`${method} ${path}: ${status} ${text.trim()}`));
            return;
          }
          try {
            resolve(text === '' ? undefined : JSON.parse(text));
          } catch {
            resolve(text);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
}

/** VmRSS of a process in KiB (0 if it is gone). */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function mib(kib: number): string {
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(2)} GiB` : `${(kib / 1024).toFixed(1)} MiB`;
}

/** A change in memory with its sign: "+1.2 MiB", "-0.5 MiB". */
export function signedMib(kib: number): string {
  return `${kib < 0 ? '-' : '+'}${mib(Math.abs(kib))}`;
}

export function gbit(bps: number): string {
  return `${(bps / 1e9).toFixed(1)} Gbit/s`;
}

/** A time (lower is better): "4.2× faster" or, where berth loses, "1.3× slower". */
export function faster(init: { readonly docker: number; readonly berth: number }): string {
  const ratio = init.docker / init.berth;
  if (!Number.isFinite(ratio) || ratio <= 0) return 'n/a';
  return ratio >= 1 ? `**${ratio.toFixed(1)}× faster**` : `**${(1 / ratio).toFixed(1)}× slower**`;
}

/** A rate (higher is better): "2.1× Docker's" or, where berth loses, "85% of Docker's". */
export function rate(init: { readonly docker: number; readonly berth: number }): string {
  const ratio = init.berth / init.docker;
  if (!Number.isFinite(ratio) || ratio <= 0) return 'n/a';
  return ratio >= 1.1 ? `**${ratio.toFixed(1)}× Docker's** (${(ratio * 100).toFixed(0)}% of)` : `**${(ratio * 100).toFixed(0)}% of Docker's**`;
}
