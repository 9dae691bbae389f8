import type { Command } from 'commander';
import type { CommandContext } from '../io.js';
import { CliError } from '../client.js';
import { checkFormat, jsonText } from '../options.js';

interface Info {
  readonly ServerVersion: string; readonly Containers: number; readonly ContainersRunning: number; readonly Plugins: { readonly Network: readonly string[] };
  readonly KernelVersion: string; readonly Name: string; readonly NCPU: number; readonly MemTotal: number;
}

interface Version { readonly Version: string; readonly ApiVersion: string; readonly MinAPIVersion: string; readonly KernelVersion: string; readonly Os: string; readonly Arch: string }

interface ResetReport {
  readonly SandboxesRemoved: readonly string[]; readonly NetworksRemoved: readonly string[]; readonly Errors: readonly string[]; readonly DaemonStopping: boolean;
}

/** Waits until berthd stops answering (it removes its bridges and firewall tables on the way out); false after `ms`. */
async function waitForStop(context: CommandContext, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 100) {
    const answering = await context.client().call('GET', '/_ping').then(() => true, () => false);
    if (!answering) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const RESET_WARNING = 'WARNING! This removes every sandbox (stopping its process), every network, berth\'s bridges and firewall rules, and stops berthd.\nAre you sure you want to continue? [y/N] ';

/** `berth system reset`: everything berth made, gone from the kernel and the store. */
function systemGroup(program: Command, context: CommandContext): void {
  const system = program.command('system').description('manage berthd as a whole');
  system.command('reset')
    .description('remove every sandbox and network, berth\'s bridges and firewall rules, then stop berthd')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', `
berthd stops afterwards; its next start re-creates the predefined networks (bridge, host, none).
scripts/uninstall runs this before it removes berth. Exit status 1 when anything could not be removed.

Examples:
  berth system reset --force
  berth system reset --force --format json`)
    .action(async (options: { force?: boolean; format: string }) => {
      const format = checkFormat(options.format, ['text', 'json']);
      if (options.force !== true) {
        if (!context.io.interactive) throw new CliError('system reset needs --force when stdin is not a terminal');
        const answer = await context.io.readLine(RESET_WARNING);
        if (!/^y(es)?$/i.test(answer.trim())) return;
      }
      const report = (await context.client().ok('POST', '/berth/system/reset?force=1')) as ResetReport;
      if (format === 'text') {
        for (const name of report.SandboxesRemoved) context.io.out(`removed sandbox ${name}\n`);
        for (const name of report.NetworksRemoved) context.io.out(`removed network ${name}\n`);
        for (const error of report.Errors) context.io.err(`error: ${error}\n`);
        context.io.out(`${report.SandboxesRemoved.length} sandboxes, ${report.NetworksRemoved.length} networks removed\n`);
        if (report.DaemonStopping) context.io.out('berthd is stopping and removing its bridges and firewall rules...\n');
      }
      const stopped = report.DaemonStopping ? await waitForStop(context, 20_000) : true;
      if (format === 'json') context.io.out(jsonText({ ...report, DaemonStopped: stopped }));
      else if (report.DaemonStopping) context.io.out(stopped ? 'berthd stopped\n' : 'berthd is still answering after 20 s\n');
      if (report.Errors.length > 0 || !stopped) context.exit(1);
    });
}

/** `berth info` and `berth version`. */
export function systemCommands(program: Command, context: CommandContext): void {
  systemGroup(program, context);
  program.command('info')
    .description('show what the daemon runs')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  berth info\n  berth info --format json')
    .action(async (options: { format: string }) => {
      const format = checkFormat(options.format, ['text', 'json']);
      const info = (await context.client().ok('GET', '/info')) as Info;
      if (format === 'json') return context.io.out(jsonText(info));
      context.io.out([
        `Server Version: ${info.ServerVersion}`,
        `Sandboxes: ${info.Containers} (running: ${info.ContainersRunning})`,
        `Network drivers: ${info.Plugins.Network.join(' ')}`,
        `Kernel Version: ${info.KernelVersion}`,
        `CPUs: ${info.NCPU}`,
        `Total Memory: ${(info.MemTotal / 2 ** 30).toFixed(2)}GiB`,
        `Name: ${info.Name}`,
        '',
      ].join('\n'));
    });
  program.command('version')
    .description('show client and server versions')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nExample:\n  berth version')
    .action(async (options: { format: string }) => {
      const format = checkFormat(options.format, ['text', 'json']);
      const server = (await context.client().ok('GET', '/version')) as Version;
      if (format === 'json') return context.io.out(jsonText({ Client: { Version: context.version, ApiVersion: '1.44' }, Server: server }));
      context.io.out(`Client: berth ${context.version}\nServer: berthd ${server.Version} (API ${server.ApiVersion}, minimum ${server.MinAPIVersion}, ${server.Os}/${server.Arch}, kernel ${server.KernelVersion})\n`);
    });
}
