import { execa } from 'execa';

/** A command to run inside a netns, with optional stdin. */
export interface NetnsCommand {
  readonly netnsPath: string;
  readonly argv: readonly [string, ...string[]];
  readonly input?: string;
}

/** What the command printed and how it ended. */
export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const TIMEOUT_MS = 30_000;

/**
 * Runs a firewall tool inside a netns through `nsenter --net=<path>`. The child switches
 * namespace itself, so berthd's own threads never leave theirs.
 */
export async function execInNetns(command: NetnsCommand): Promise<CommandResult> {
  const result = await execa('nsenter', [`--net=${command.netnsPath}`, ...command.argv], {
    reject: false,
    timeout: TIMEOUT_MS,
    stripFinalNewline: false,
    ...(command.input === undefined ? {} : { input: command.input }),
  });
  const failedToRun = result.failed && result.exitCode === undefined;
  const stderr = failedToRun ? `${result.stderr}${result.shortMessage}` : result.stderr;
  return { ok: !result.failed, stdout: result.stdout, stderr };
}
