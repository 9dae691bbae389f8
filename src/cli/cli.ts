import { Command, CommanderError } from 'commander';
import { ApiClient, CliError, DEFAULT_HOST, parseHost } from './client.js';
import type { CliIo, CommandContext } from './io.js';
import { LinuxHostProbe } from '../doctor/index.js';
import type { HostProbe } from '../doctor/index.js';
import { colourEnabled } from './colour.js';
import { completionCommands } from './commands/completion.js';
import { doctorCommands } from './commands/doctor.js';
import { eventCommands } from './commands/events.js';
import { networkCommands } from './commands/network.js';
import { runCommands } from './commands/run.js';
import { sandboxCommands } from './commands/sandbox.js';
import { systemCommands } from './commands/system.js';
import { topologyCommands } from './commands/topology.js';

/** What `runCli` needs besides argv: the terminal, the environment (BERTH_HOST) and berth's version. */
export interface CliOptions {
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** What `berth doctor` reads (tests pass a fake); the machine unless set. */
  readonly doctorProbe?: HostProbe;
}

function program(options: CliOptions, setExit: (code: number) => void): Command {
  const root = new Command('berth')
    .description('berth: container networks (Docker CNM) and sandboxes, driven through berthd')
    .version(options.version)
    .option('-H, --host <url>', `daemon address (unix:///path or tcp://host:port); env BERTH_HOST; default ${DEFAULT_HOST}`)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => options.io.out(text), writeErr: (text) => options.io.err(text) })
    .addHelpText('after', '\nExamples:\n  berth network create front\n  berth run -d --name web --network front -- sleep infinity\n  BERTH_HOST=unix:///tmp/berth.sock berth ps');
  const client = (): ApiClient => new ApiClient(parseHost(root.opts<{ host?: string }>().host ?? options.env['BERTH_HOST'] ?? DEFAULT_HOST));
  const context: CommandContext = { client, io: options.io, version: options.version, exit: setExit };
  networkCommands(root, context);
  runCommands(root, context);
  sandboxCommands(root, context);
  systemCommands(root, context);
  eventCommands(root, context);
  doctorCommands(root, context, {
    probe: () => options.doctorProbe ?? new LinuxHostProbe(),
    host: () => root.opts<{ host?: string }>().host ?? options.env['BERTH_HOST'] ?? DEFAULT_HOST,
  });
  topologyCommands(root, context, { colour: () => colourEnabled({ terminal: options.io.outputIsTerminal === true, env: options.env }) });
  // Last: the script covers every command registered before it.
  completionCommands(root, context);
  return root;
}

/** Runs the berth CLI on `argv` (without node and script); resolves with the exit code, never exits the process. */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<number> {
  let exitCode = 0;
  const root = program(options, (code) => { exitCode = code; });
  try {
    await root.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    options.io.err(`${error instanceof CliError ? error.message : `berth: ${error instanceof Error ? error.message : String(error)}`}\n`);
    return 1;
  }
}
