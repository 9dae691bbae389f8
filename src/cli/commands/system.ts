import type { Command } from 'commander';
import type { ApiClient } from '../client.js';
import type { CliOutput } from '../output.js';

/** `berth info` and `berth version`. */
export function systemCommands(program: Command, context: { readonly client: () => ApiClient; readonly output: CliOutput; readonly version: string }): void {
  program.command('info')
    .description('show what the daemon runs')
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: { format: string }) => {
      const info = (await context.client().ok('GET', '/info')) as { ServerVersion: string; Containers: number; ContainersRunning: number; Plugins: { Network: string[] }; KernelVersion: string; Name: string };
      if (options.format === 'json') return context.output.out(`${JSON.stringify(info, null, 2)}\n`);
      context.output.out([
        `Server Version: ${info.ServerVersion}`,
        `Sandboxes: ${info.Containers} (running: ${info.ContainersRunning})`,
        `Network drivers: ${info.Plugins.Network.join(' ')}`,
        `Kernel Version: ${info.KernelVersion}`,
        `Name: ${info.Name}`,
        '',
      ].join('\n'));
    });
  program.command('version')
    .description('show client and server versions')
    .action(async () => {
      const server = (await context.client().ok('GET', '/version')) as { Version: string; ApiVersion: string; KernelVersion: string };
      context.output.out(`Client: berth ${context.version}\nServer: berthd ${server.Version} (API ${server.ApiVersion}, kernel ${server.KernelVersion})\n`);
    });
}
