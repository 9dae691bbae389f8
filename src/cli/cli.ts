import { Command, CommanderError } from 'commander';
import { ApiClient, CliError, DEFAULT_HOST, parseHost } from './client.js';
import type { CliOutput } from './output.js';
import { networkCommands } from './commands/network.js';
import { sandboxCommands } from './commands/sandbox.js';
import { systemCommands } from './commands/system.js';

/** Runs the berth CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], options: { readonly output: CliOutput; readonly env: NodeJS.ProcessEnv; readonly version: string }): Promise<number> {
  let exitCode = 0;
  const program = new Command('berth')
    .description('berth: container networks (Docker CNM) and sandboxes, driven through berthd')
    .version(options.version)
    .option('-H, --host <url>', `daemon address (unix:///path or tcp://host:port); env BERTH_HOST; default ${DEFAULT_HOST}`)
    .exitOverride()
    .configureOutput({ writeOut: (text) => options.output.out(text), writeErr: (text) => options.output.err(text) });
  const client = (): ApiClient => parseClient(program.opts<{ host?: string }>().host ?? options.env['BERTH_HOST'] ?? DEFAULT_HOST);
  const context = { client, output: options.output, version: options.version, exit: (code: number) => { exitCode = code; } };
  networkCommands(program, context);
  sandboxCommands(program, context);
  systemCommands(program, context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    options.output.err(`${error instanceof CliError ? error.message : `berth: ${error instanceof Error ? error.message : String(error)}`}\n`);
    return 1;
  }
}

function parseClient(host: string): ApiClient {
  return new ApiClient(parseHost(host));
}
