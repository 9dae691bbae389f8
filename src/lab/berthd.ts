import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Options } from 'execa';
import { Lab } from './lab.js';
import type { LabHost } from './lab.js';
import { BERTH, BERTHD, unixApi } from './unix-api.js';


/** A berthd running inside a lab host (same mount namespace), with the lab's directories. */
export interface DaemonRig {
  readonly lab: Lab;
  readonly host: LabHost;
  daemon: ChildProcess;
  /** Output the daemon wrote (JSON log lines). */
  readonly output: string[];
  /** Starts berthd again (after kill or stop). */
  start(): Promise<void>;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** An API call over the socket; resolves with status and parsed JSON (or text). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; headers: Record<string, string | string[] | undefined> }>;
  /** Runs the `berth` CLI against this daemon. */
  berth(args: readonly string[], options?: Options): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Runs the real `docker` CLI against this daemon. */
  docker(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** Creates a lab and starts berthd in its host; `close()` stops it and removes the lab. */
export async function startDaemon(options: { readonly args?: readonly string[] | ((lab: Lab) => readonly string[]); readonly prefix?: string } = {}): Promise<DaemonRig> {
  const lab = await Lab.create({ prefix: options.prefix ?? 'berth-d' });
  const host = lab.host;
  const output: string[] = [];
  // The daemon's upstream resolver is the lab router, never the machine's own (tests send no
  // DNS traffic out of the lab); `args` may name another file.
  const resolvConf = join(lab.dir, 'resolv.conf');
  const extraArgs = typeof options.args === 'function' ? options.args(lab) : options.args ?? [];
  writeFileSync(resolvConf, `nameserver ${lab.router.ip}\n`);
  const rig: DaemonRig = {
    lab, host, output,
    daemon: undefined as unknown as ChildProcess,
    start: async () => {
      const child = lab.spawn(host.netns, [process.execPath, BERTHD, '--root', host.stateDir, '--run-root', host.runDir, '--log-level', 'debug', '--host-resolv-conf', resolvConf, ...extraArgs]);
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      rig.daemon = child;
      for (let waited = 0; waited < 15_000; waited += 50) {
        if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode}: ${output.join('')}`);
        if (existsSync(host.socketPath) && (await rig.api('GET', '/_ping').then((reply) => reply.status === 200, () => false))) return;
        await sleep(50);
      }
      throw new Error(`berthd did not answer on ${host.socketPath}: ${output.join('')}`);
    },
    kill: async () => {
      const child = rig.daemon;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    api: (method, path, body) => unixApi(host.socketPath, { method, path, body }),
    berth: async (args, execOptions) => {
      const result = await execa(process.execPath, [BERTH, ...args], { reject: false, env: { BERTH_HOST: `unix://${host.socketPath}` }, timeout: 30_000, ...execOptions });
      return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    docker: async (args) => {
      const result = await execa('docker', [...args], { reject: false, env: { DOCKER_HOST: `unix://${host.socketPath}`, HOME: host.stateDir }, timeout: 30_000 });
      return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    close: async () => {
      if (rig.daemon !== undefined && rig.daemon.exitCode === null) {
        const exited = new Promise((resolve) => rig.daemon.once('exit', resolve));
        rig.daemon.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
      }
      await lab.close();
    },
  };
  try {
    await rig.start();
  } catch (error) {
    await rig.close();
    throw error;
  }
  return rig;
}
