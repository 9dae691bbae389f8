import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import type { FileFacts, HostProbe } from './host-probe.js';

/**
 * The real machine, read-only: files, `stat`, /proc/PID/comm and read-only commands (`ip -j
 * route`, `nft list ruleset`, `iptables-save`). This is the doctor's one contact with the OS,
 * kept here rather than in src/kernel/linux because it only reads and runs in the CLI.
 */
export class LinuxHostProbe implements HostProbe {
  readonly kernelRelease = release();
  readonly user = { uid: process.getuid?.() ?? 0, groups: process.getgroups?.() ?? [] };

  readText(path: string): string | undefined {
    try {
      return path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  exists(path: string): boolean {
    return existsSync(path);
  }

  stat(path: string): FileFacts | undefined {
    try {
      const facts = statSync(path);
      return { mode: facts.mode, uid: facts.uid, gid: facts.gid, socket: facts.isSocket() };
    } catch {
      return undefined;
    }
  }

  connect(target: { readonly host: string; readonly port: number; readonly timeoutMs: number }): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: target.host, port: target.port, timeout: target.timeoutMs });
      const finish = (up: boolean): void => {
        socket.destroy();
        resolve(up);
      };
      socket.once('connect', () => finish(true));
      socket.once('timeout', () => finish(false));
      socket.once('error', () => finish(false));
    });
  }

  processNames(): readonly string[] {
    let entries: string[];
    try {
      entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
    } catch {
      return [];
    }
    return entries.map((pid) => this.readText(`/proc/${pid}/comm`)?.trim() ?? '').filter((name) => name !== '');
  }

  async run(command: string, args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string } | undefined> {
    try {
      const output = await execa(command, [...args], { reject: false, timeout: 10_000, stdin: 'ignore' });
      if (output.failed && output.exitCode === undefined) return undefined;
      return { code: output.exitCode ?? 1, stdout: String(output.stdout) };
    } catch {
      return undefined;
    }
  }
}
