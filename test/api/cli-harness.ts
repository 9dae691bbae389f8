import { runCli } from '../../src/cli/cli.js';
import type { CliIo } from '../../src/cli/io.js';
import type { ApiRig } from './api-harness.js';

/** One CLI run as a test sees it. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Programs the CLI ran locally (exec's nsenter). */
  readonly ran: readonly (readonly string[])[];
  /** Prompts it printed. */
  readonly prompts: readonly string[];
}

/** Runs `berth ARGS` in-process against `rig`'s socket; `answer` is what the terminal types at a prompt. */
export async function berth(rig: ApiRig, args: readonly string[], terminal: { readonly interactive?: boolean; readonly answer?: string; readonly exitCode?: number } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const ran: string[][] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    out: (text) => { stdout += text; },
    err: (text) => { stderr += text; },
    interactive: terminal.interactive ?? false,
    readLine: (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(terminal.answer ?? '');
    },
    run: (command, commandArgs) => {
      ran.push([command, ...commandArgs]);
      return Promise.resolve(terminal.exitCode ?? 0);
    },
  };
  const code = await runCli(args, { io, env: { BERTH_HOST: `unix://${rig.socket}` }, version: '1.2.3' });
  return { code, stdout, stderr, ran, prompts };
}
