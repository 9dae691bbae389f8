import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { DaemonRig } from '../../src/lab/index.js';

/** What the port-publishing tests' HTTP servers answer. */
export const HELLO = 'hello from a sandbox';

/** A directory for busybox httpd holding index.html; remove it with the returned function. */
export function makeWebRoot(): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-www-'));
  writeFileSync(join(dir, 'index.html'), `${HELLO}\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the berth CLI and returns stdout; throws with stderr on a non-zero exit. */
export async function berthOk(rig: DaemonRig, args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** An HTTP/1.0 GET through bash's /dev/tcp from a namespace (IPv4 or [IPv6] URLs); the body, or undefined when it fails. */
export async function fetchFrom(netnsPath: string, url: string): Promise<string | undefined> {
  const parsed = new URL(url);
  // URL leaves the port empty when it is the scheme's default (http://ip/ and http://ip:80/).
  const port = parsed.port === '' ? '80' : parsed.port;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const script = `exec 3<>/dev/tcp/${host}/${port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 2 cat <&3`;
  const result = await execa('nsenter', [`--net=${netnsPath}`, 'timeout', '3', 'bash', '-c', script], { reject: false, timeout: 10_000 });
  if (result.exitCode !== 0 || !result.stdout.startsWith('HTTP/1.')) return undefined;
  return result.stdout.slice(result.stdout.indexOf('\r\n\r\n') + 4).trim();
}

/** fetchFrom, retried for up to 3 s while the server in the sandbox starts. */
export async function fetchEventually(netnsPath: string, url: string): Promise<string | undefined> {
  for (let waited = 0; ; waited += 100) {
    const body = await fetchFrom(netnsPath, url);
    if (body !== undefined || waited >= 3000) return body;
    await sleep(100);
  }
}

/** A sandbox's inspect document, as far as these tests read it. */
export interface SandboxInspect {
  readonly Id: string;
  readonly NetworkSettings: {
    readonly SandboxKey: string;
    readonly Ports: Record<string, { HostIp: string; HostPort: string }[]>;
    readonly Networks: Record<string, { IPAddress: string; GlobalIPv6Address: string }>;
  };
}

export async function inspect(rig: DaemonRig, name: string): Promise<SandboxInspect> {
  return (await rig.api('GET', `/containers/${name}/json`)).body as SandboxInspect;
}

/** What a sandbox's process wrote (berthd keeps it in output.log). */
export async function sandboxOutput(rig: DaemonRig, name: string): Promise<string> {
  const { Id } = await inspect(rig, name);
  return readFileSync(join(rig.host.runDir, 'sandboxes', Id, 'output.log'), 'utf8');
}
