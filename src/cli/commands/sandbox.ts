import type { Command } from 'commander';
import { CliError } from '../client.js';
import type { CommandContext } from '../io.js';
import { checkFormat, jsonText } from '../options.js';
import { shortId, table } from '../table.js';
import { isTemplate, renderTemplate } from '../template.js';

interface Summary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Command: string;
  readonly Status: string;
  readonly State?: string;
  readonly Created?: number;
  readonly Labels?: Record<string, string> | null;
  readonly Ports?: readonly { readonly IP: string; readonly PrivatePort: number; readonly PublicPort: number; readonly Type: string }[];
  readonly NetworkSettings: { readonly Networks: Record<string, { readonly IPAddress: string }> };
}

/** One row as `docker ps --format` sees it (its field names, values as strings). */
function templateRow(entry: Summary): Record<string, string> {
  return {
    ID: shortId(entry.Id), Names: entry.Names.map((name) => name.replace(/^\//, '')).join(','), Command: entry.Command, Status: entry.Status, State: entry.State ?? '',
    Networks: Object.keys(entry.NetworkSettings.Networks).join(','),
    Ports: (entry.Ports ?? []).map((port) => `${port.IP.includes(':') ? `[${port.IP}]` : port.IP}:${port.PublicPort}->${port.PrivatePort}/${port.Type}`).join(', '),
    Labels: Object.entries(entry.Labels ?? {}).map(([key, value]) => `${key}=${value}`).join(','),
    CreatedAt: entry.Created === undefined ? '' : new Date(entry.Created * 1000).toISOString(),
  };
}

type PortMap = Record<string, readonly { readonly HostIp: string; readonly HostPort: string }[] | null>;

function psCommand(program: Command, context: CommandContext): void {
  program.command('ps')
    .description('list sandboxes (running and idle ones; -a adds those whose command exited)')
    .option('-a, --all', 'include sandboxes whose command exited')
    .option('-q, --quiet', 'only ids')
    .option('--format <format>', 'table, json, or a template: {{.ID}} {{.Names}} {{.Command}} {{.Status}} {{.State}} {{.Networks}} {{.Ports}} {{.Labels}} {{.CreatedAt}} {{json .}}', 'table')
    .addHelpText('after', '\nExamples:\n  berth ps\n  berth ps -a -q\n  berth ps --format json\n  berth ps --format \'{{.Names}}\\t{{.Networks}}\'')
    .action(async (options: { all?: boolean; quiet?: boolean; format: string }) => {
      const format = isTemplate(options.format) ? 'template' : checkFormat(options.format, ['table', 'json']);
      const list = (await context.client().ok('GET', `/containers/json${options.all === true ? '?all=true' : ''}`)) as Summary[];
      if (options.quiet === true) return context.io.out(list.map((entry) => `${shortId(entry.Id)}\n`).join(''));
      if (format === 'template') return context.io.out(renderTemplate(options.format, list.map(templateRow)));
      if (format === 'json') return context.io.out(jsonText(list));
      const rows = list.map((entry) => [
        shortId(entry.Id), entry.Names[0]?.replace(/^\//, '') ?? '', entry.Command, entry.Status,
        Object.entries(entry.NetworkSettings.Networks).map(([name, settings]) => `${name}:${settings.IPAddress}`).join(' '),
      ]);
      context.io.out(table(['SANDBOX ID', 'NAME', 'COMMAND', 'STATUS', 'NETWORKS'], rows));
    });
}

function rmCommand(program: Command, context: CommandContext): void {
  program.command('rm')
    .description('remove sandboxes: their endpoints, addresses and namespace; prints each one removed')
    .argument('<sandboxes...>')
    .option('-f, --force', 'stop the running command first')
    .addHelpText('after', '\nExample:\n  berth rm -f web db')
    .action(async (sandboxes: string[], options: { force?: boolean }) => {
      let failed = false;
      for (const sandbox of sandboxes) {
        try {
          await context.client().ok('DELETE', `/containers/${encodeURIComponent(sandbox)}${options.force === true ? '?force=true' : ''}`);
          context.io.out(`${sandbox}\n`);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          context.io.err(`${error.message}\n`);
          failed = true;
        }
      }
      if (failed) context.exit(1);
    });
}

function portCommand(program: Command, context: CommandContext): void {
  program.command('port')
    .description('show the ports published for a sandbox (run -p)')
    .argument('<sandbox>')
    .addHelpText('after', `
Publishing needs the bridge driver's port publisher (kernel DNAT); sandboxes on other drivers,
or started without -p, print nothing.

Example:
  berth port web      # 80/tcp -> 0.0.0.0:8080 (and 80/tcp -> [::]:8080 on an IPv6 network)`)
    .action(async (sandbox: string) => {
      const inspect = (await context.client().ok('GET', `/containers/${encodeURIComponent(sandbox)}/json`)) as { NetworkSettings: { Ports?: PortMap } };
      for (const [port, bindings] of Object.entries(inspect.NetworkSettings.Ports ?? {})) {
        // IPv6 host addresses in brackets, as `docker port` prints them ([::]:8080).
        for (const binding of bindings ?? []) context.io.out(`${port} -> ${binding.HostIp.includes(':') ? `[${binding.HostIp}]` : binding.HostIp}:${binding.HostPort}\n`);
      }
    });
}

/** `berth ps`, `rm`, `port`: sandboxes without a container engine. */
export function sandboxCommands(program: Command, context: CommandContext): void {
  psCommand(program, context);
  rmCommand(program, context);
  portCommand(program, context);
}
