/** Runs the process of a `berth run` sandbox; the daemon implements it (src/daemon/process-runner.ts). */
export interface SandboxRunner {
  start(sandboxId: string, command: readonly string[]): Promise<{ pid: number }>;
  status(sandboxId: string): { readonly status: 'created' | 'running' | 'exited'; readonly pid?: number; readonly exitCode?: number };
  command(sandboxId: string): readonly string[];
  /** Stops the process (SIGTERM, then SIGKILL); fine when there is none. */
  stop(sandboxId: string): Promise<void>;
}
