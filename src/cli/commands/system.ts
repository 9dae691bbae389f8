import type { Command } from 'commander';
import type { CommandContext } from '../io.js';
import { checkFormat, jsonText } from '../options.js';

interface Info {
  readonly ServerVersion: string; readonly Containers: number; readonly ContainersRunning: number; readonly Plugins: { readonly Network: readonly string[] };
  readonly KernelVersion: string; readonly Name: string; readonly NCPU: number; readonly MemTotal: number;
}

interface Version { readonly Version: string; readonly ApiVersion: string; readonly MinAPIVersion: string; readonly KernelVersion: string; readonly Os: string; readonly Arch: string }

/** `berth info` and `berth version`. */
export function systemCommands(program: Command, context: CommandContext): void {
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
