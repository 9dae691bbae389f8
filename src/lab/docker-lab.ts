import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Lab, LabHost } from './lab.js';

/** Applets the offline busybox image links (shell, servers and network tools for tests). */
const APPLETS = ['sh', 'sleep', 'httpd', 'ping', 'wget', 'ip', 'nslookup', 'cat', 'echo', 'nc', 'ls', 'hostname', 'ifconfig', 'route', 'true', 'env', 'kill', 'ps'];

/** What `httpd -f -p 80 -h /www` serves from the image. */
export const BUSYBOX_PAGE = 'hello from a container on a berth network';

/** A real dockerd running inside a lab host's namespace, with its own private mount namespace. */
export interface DockerdRig {
  readonly socket: string;
  readonly process: ChildProcess;
  readonly output: string[];
  /** The real docker CLI against this dockerd. */
  docker(args: readonly string[], options?: { readonly timeoutMs?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Removes every container, then stops dockerd (and its containerd) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts dockerd (Debian's docker.io) in `host`'s network namespace and a private mount
 * namespace whose /run/docker/plugins and /etc/docker/plugins are empty tmpfs mounts — the
 * host's plugin directories are never seen or touched. With `pluginSocket`, a spec file
 * `berth.spec` points dockerd at that socket, so `-d berth` and `--ipam-driver berth` are berthd.
 * Docker's own bridge (docker0, its iptables chains) lives inside the lab only.
 */
export async function startDockerd(lab: Lab, init: { readonly host: LabHost; readonly pluginSocket?: string; readonly name?: string }): Promise<DockerdRig> {
  const dir = join(lab.dir, init.name ?? 'docker');
  for (const sub of ['data', 'exec']) mkdirSync(join(dir, sub), { recursive: true });
  const socket = join(dir, 'docker.sock');
  const spec = init.pluginSocket === undefined ? '' : `echo unix://${init.pluginSocket} > /etc/docker/plugins/berth.spec;`;
  const script = [
    'set -e; mkdir -p /run/docker/plugins /etc/docker/plugins;',
    'mount -t tmpfs lab-plugins /run/docker/plugins; mount -t tmpfs lab-plugin-specs /etc/docker/plugins;',
    spec,
    `exec dockerd --data-root ${join(dir, 'data')} --exec-root ${join(dir, 'exec')} -H unix://${socket} --pidfile ${join(dir, 'dockerd.pid')} --bip 172.31.254.1/24 --log-level warn`,
  ].join(' ');
  const child = lab.spawn(init.host.netns, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script]);
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const docker: DockerdRig['docker'] = async (args, options = {}) => {
    const result = await execa('docker', ['-H', `unix://${socket}`, ...args], { reject: false, timeout: options.timeoutMs ?? 60_000, env: { HOME: dir } });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const rig: DockerdRig = {
    socket, process: child, output, docker,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const ids = (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await docker(['rm', '-f', ...ids]);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
    },
  };
  for (let waited = 0; ; waited += 200) {
    if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}: ${output.join('')}`);
    if (existsSync(socket) && (await docker(['version', '--format', '{{.Server.Version}}'])).exitCode === 0) break;
    if (waited > 30_000) {
      await rig.stop();
      throw new Error(`dockerd did not answer on ${socket}: ${output.join('')}`);
    }
    await sleep(200);
  }
  return rig;
}

/** Imports `bb:latest`, a busybox-static image made offline (no registry is reachable). */
export async function importBusyboxImage(lab: Lab, rig: DockerdRig): Promise<void> {
  const rootfs = join(lab.dir, 'busybox-rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const dir of ['etc', 'tmp', 'www', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, dir), { recursive: true });
  writeFileSync(join(rootfs, 'www', 'index.html'), `${BUSYBOX_PAGE}\n`);
  if (!existsSync(join(rootfs, 'bin', 'busybox'))) copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) if (!existsSync(join(rootfs, 'bin', applet))) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tar = execa('tar', ['-C', rootfs, '-c', '.']);
  const imported = execa('docker', ['-H', `unix://${rig.socket}`, 'import', '-', 'bb:latest'], { reject: false, env: { HOME: lab.dir } });
  tar.stdout?.pipe(imported.stdin ?? process.stdout);
  await tar;
  const result = await imported;
  if (result.exitCode !== 0) throw new Error(`docker import failed: ${String(result.stderr)}`);
}
