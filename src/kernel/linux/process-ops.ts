import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { BerthError } from '../../errors/index.js';

/** What a sandbox process is started with. */
export interface SandboxProcessSpec {
  readonly netnsPath: string;
  readonly hostname: string;
  /** Files bind-mounted over /etc/hosts and /etc/resolv.conf in the process's own mount namespace. */
  readonly hostsFile: string;
  readonly resolvConfFile: string;
  readonly command: readonly string[];
  /** stdout and stderr go here. */
  readonly logFile: string;
  readonly onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

// Runs in the new mount+UTS namespaces: private mounts, then the sandbox's files and hostname, then the command.
const INIT_SCRIPT = 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && hostname "$3" && shift 3 && exec "$@"';

/**
 * Starts a process in a sandbox: its network namespace, plus new mount and UTS namespaces
 * so hostname, /etc/hosts and /etc/resolv.conf are the sandbox's. The process keeps one pid
 * through nsenter → unshare → sh → exec, so `nsenter --target PID` reaches its namespaces.
 */
export function spawnSandboxProcess(spec: SandboxProcessSpec): { pid: number; startTime: string } {
  if (spec.command.length === 0) throw new BerthError('INVALID_ARGUMENT', 'command must not be empty', { object: 'command' });
  const log = openSync(spec.logFile, 'a', 0o640);
  try {
    const child = spawn(
      'nsenter',
      [`--net=${spec.netnsPath}`, 'unshare', '--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', INIT_SCRIPT, 'berth-init', spec.hostsFile, spec.resolvConfFile, spec.hostname, ...spec.command],
      { detached: true, stdio: ['ignore', log, log] },
    );
    if (child.pid === undefined) throw new BerthError('KERNEL_FAILURE', `start ${spec.command.join(' ')}: spawn failed`, { operation: 'start sandbox process' });
    child.once('exit', (code, signal) => spec.onExit?.(code, signal));
    child.unref();
    return { pid: child.pid, startTime: processStartTime(child.pid) ?? '' };
  } finally {
    closeSync(log);
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): tells a live process from a reused pid. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when `pid` runs and is the process that started at `startTime`. */
export function processAlive(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}
