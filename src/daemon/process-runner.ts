import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkController } from '../controller/index.js';
import { sandboxFilePaths } from '../controller/index.js';
import type { SandboxProcessSpec } from '../kernel/linux/index.js';
import type { Logger } from '../controller/index.js';

/** The process record kept beside a sandbox's files, so a restarted daemon finds its processes. */
interface ProcessFile {
  readonly pid: number;
  readonly startTime: string;
  readonly command: readonly string[];
}

export interface ProcessRunnerOptions {
  readonly controller: NetworkController;
  readonly sandboxDir: string;
  readonly spawn: (spec: SandboxProcessSpec) => { pid: number; startTime: string };
  readonly alive: (pid: number, startTime: string) => boolean;
  readonly log: Logger;
}

export type ProcessStatus = { readonly status: 'created' | 'running' | 'exited'; readonly pid?: number; readonly exitCode?: number };

/**
 * `berth run`'s process side: one process per sandbox, started in the sandbox's namespaces,
 * output in <sandbox dir>/output.log, pid and exit code in files so they outlive the daemon.
 */
export class ProcessRunner {
  readonly #options: ProcessRunnerOptions;

  constructor(options: ProcessRunnerOptions) {
    this.#options = options;
  }

  #file(sandboxId: string, name: string): string {
    return join(sandboxFilePaths(this.#options.sandboxDir, sandboxId).dir, name);
  }

  async start(sandboxId: string, command: readonly string[]): Promise<{ pid: number }> {
    const { sandbox } = this.#options.controller.getSandbox(sandboxId);
    const paths = sandboxFilePaths(this.#options.sandboxDir, sandbox.id);
    rmSync(this.#file(sandbox.id, 'exit-code'), { force: true });
    const started = this.#options.spawn({
      netnsPath: sandbox.netnsPath,
      hostname: sandbox.hostname,
      hostsFile: paths.hosts,
      resolvConfFile: paths.resolvConf,
      command,
      logFile: this.#file(sandbox.id, 'output.log'),
      onExit: (code, signal) => {
        const exitCode = code ?? 128 + (signal === null ? 0 : signalNumber(signal));
        if (existsSync(paths.dir)) writeFileSync(this.#file(sandbox.id, 'exit-code'), String(exitCode));
        this.#options.log.info({ sandbox: sandbox.id, exitCode }, 'sandbox process exited');
      },
    });
    const record: ProcessFile = { pid: started.pid, startTime: started.startTime, command };
    writeFileSync(this.#file(sandbox.id, 'process.json'), JSON.stringify(record));
    this.#options.log.info({ sandbox: sandbox.id, pid: started.pid, command }, 'sandbox process started');
    return { pid: started.pid };
  }

  #process(sandboxId: string): ProcessFile | undefined {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.#file(sandboxId, 'process.json'), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const { pid, startTime, command } = parsed as Record<string, unknown>;
      if (typeof pid !== 'number' || typeof startTime !== 'string' || !Array.isArray(command)) return undefined;
      return { pid, startTime, command: command.map(String) };
    } catch {
      return undefined;
    }
  }

  status(sandboxId: string): ProcessStatus {
    const process = this.#process(sandboxId);
    if (process === undefined) return { status: 'created' };
    if (this.#options.alive(process.pid, process.startTime)) return { status: 'running', pid: process.pid };
    let exitCode: number | undefined;
    try {
      exitCode = Number(readFileSync(this.#file(sandboxId, 'exit-code'), 'utf8'));
    } catch {
      exitCode = undefined;
    }
    return exitCode === undefined || Number.isNaN(exitCode) ? { status: 'exited' } : { status: 'exited', exitCode };
  }

  /** Command the sandbox's process was started with. */
  command(sandboxId: string): readonly string[] {
    return this.#process(sandboxId)?.command ?? [];
  }

  /** SIGTERM, then SIGKILL after 2 s; fine when there is no process. */
  async stop(sandboxId: string): Promise<void> {
    const process = this.#process(sandboxId);
    if (process === undefined || !this.#options.alive(process.pid, process.startTime)) return;
    signal(process.pid, 'SIGTERM');
    for (let waited = 0; waited < 2000 && this.#options.alive(process.pid, process.startTime); waited += 50) await sleep(50);
    if (this.#options.alive(process.pid, process.startTime)) signal(process.pid, 'SIGKILL');
    for (let waited = 0; waited < 2000 && this.#options.alive(process.pid, process.startTime); waited += 20) await sleep(20);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function signalNumber(name: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[name] ?? 0;
}
