import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import type { ApiClient } from './client.js';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdin is a terminal (prompts are allowed). */
  readonly interactive: boolean;
  /** True when stdout is a terminal (colours are allowed, unless NO_COLOR). */
  readonly outputIsTerminal?: boolean;
  /** Prints `prompt` and reads one line of stdin. */
  readLine(prompt: string): Promise<string>;
  /** Runs a local program with inherited stdio; resolves with its exit code (128+signal when killed). */
  run(command: string, args: readonly string[]): Promise<number>;
}

/** What every command group gets. */
export interface CommandContext {
  readonly client: () => ApiClient;
  readonly io: CliIo;
  readonly version: string;
  /** Sets the process exit code (commands that mirror another program's status). */
  readonly exit: (code: number) => void;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

function runInherited(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : (SIGNALS[signal] ?? 1))));
  });
}

/** The real terminal: stdout, stderr, stdin and child processes. */
export const PROCESS_IO: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  interactive: process.stdin.isTTY === true,
  outputIsTerminal: process.stdout.isTTY === true,
  readLine: async (prompt) => {
    const lines = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await lines.question(prompt);
    } finally {
      lines.close();
    }
  },
  run: runInherited,
};
