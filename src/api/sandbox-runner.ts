/** What a sandbox's process is doing: never started, running, or gone with an exit code. */
export interface SandboxStatus {
  readonly status: 'created' | 'running' | 'exited';
  readonly pid?: number;
  readonly exitCode?: number;
}

/** Runs the process of a `berth run` sandbox; the daemon implements it (src/daemon/process-runner.ts). */
export interface SandboxRunner {
  /** Starts `command` inside the sandbox's namespaces. */
  start(sandboxId: string, command: readonly string[]): Promise<{ pid: number }>;
  status(sandboxId: string): SandboxStatus;
  /** The command started in the sandbox ([] when none), for Cmd/Command in the container views. */
  command(sandboxId: string): readonly string[];
  /** Stops the process (SIGTERM, then SIGKILL); fine when there is none. */
  stop(sandboxId: string): Promise<void>;
}
