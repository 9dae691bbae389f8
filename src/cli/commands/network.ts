import type { Command } from 'commander';
import { CliError } from '../client.js';
import type { CommandContext } from '../io.js';
import { checkFormat, collect, jsonText, keyValues } from '../options.js';
import { shortId, table } from '../table.js';
import { isTemplate, renderTemplate } from '../template.js';

interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope: string;
  readonly Created?: string;
  readonly EnableIPv6?: boolean;
  readonly Internal?: boolean;
  readonly Labels?: Record<string, string> | null;
}

/** One row as `docker network ls --format` sees it (its field names, values as strings). */
function templateRow(entry: NetworkSummary): Record<string, string> {
  return {
    ID: shortId(entry.Id), Name: entry.Name, Driver: entry.Driver, Scope: entry.Scope,
    IPv6: String(entry.EnableIPv6 === true), Internal: String(entry.Internal === true),
    Labels: Object.entries(entry.Labels ?? {}).map(([key, value]) => `${key}=${value}`).join(','), CreatedAt: entry.Created ?? '',
  };
}

interface CreateOptions {
  driver: string; subnet: string[]; ipRange: string[]; gateway: string[]; auxAddress: string[]; ipv6?: boolean; internal?: boolean;
  attachable?: boolean; opt: string[]; label: string[]; ipamDriver: string; ipamOpt: string[];
}

const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one sandbox.\nAre you sure you want to continue? [y/N] ';

/** Several --subnet pair with --ip-range / --gateway by position, as in `docker network create`. */
function ipamConfigs(options: CreateOptions): Record<string, unknown>[] {
  if (options.ipRange.length > options.subnet.length || options.gateway.length > options.subnet.length) {
    throw new CliError('every --ip-range and --gateway needs a --subnet (they pair up by position)');
  }
  const aux = keyValues(options.auxAddress, '--aux-address');
  return options.subnet.map((subnet, index) => ({
    Subnet: subnet,
    ...(options.ipRange[index] === undefined ? {} : { IPRange: options.ipRange[index] }),
    ...(options.gateway[index] === undefined ? {} : { Gateway: options.gateway[index] }),
    ...(index === 0 && Object.keys(aux).length > 0 ? { AuxiliaryAddresses: aux } : {}),
  }));
}

/** `-f k=v`... → Docker's `?filters={"k":{"v":true}}`. */
export function filtersQuery(filters: readonly string[]): string {
  if (filters.length === 0) return '';
  const grouped: Record<string, Record<string, boolean>> = {};
  for (const filter of filters) {
    const at = filter.indexOf('=');
    if (at <= 0) throw new CliError(`invalid argument "${filter}" for "--filter" flag: expected key=value`);
    (grouped[filter.slice(0, at)] ??= {})[filter.slice(at + 1)] = true;
  }
  return `?filters=${encodeURIComponent(JSON.stringify(grouped))}`;
}

function createCommand(network: Command, context: CommandContext): void {
  network.command('create')
    .description('create a network')
    .argument('<name>')
    .option('-d, --driver <driver>', 'network driver (bridge, macvlan, ...)', 'bridge')
    .option('--subnet <cidr>', 'subnet (repeatable: one IPv4 and/or one IPv6 for bridge)', collect, [])
    .option('--ip-range <cidr>', 'allocate sandbox addresses from this range of the subnet at the same position', collect, [])
    .option('--gateway <ip>', 'gateway of the subnet at the same position', collect, [])
    .option('--aux-address <name=ip>', 'addresses the IPAM must not hand out', collect, [])
    .option('--ipv6', 'enable IPv6')
    .option('--internal', 'no access to or from outside the network')
    .option('--attachable', 'allow manual attachment')
    .option('-o, --opt <key=value>', 'driver option, e.g. com.docker.network.bridge.name=br0', collect, [])
    .option('--label <key=value>', 'label', collect, [])
    .option('--ipam-driver <driver>', 'IPAM driver', 'default')
    .option('--ipam-opt <key=value>', 'IPAM driver option', collect, [])
    .addHelpText('after', `
Examples:
  berth network create front
  berth network create --subnet 10.50.0.0/24 --ip-range 10.50.0.128/25 --gateway 10.50.0.1 back
  berth network create --subnet 10.51.0.0/24 --subnet fd00:51::/64 --ipv6 dual
  berth network create --internal -o com.docker.network.bridge.enable_icc=false --label tier=db quiet`)
    .action(async (name: string, options: CreateOptions) => {
      const body = {
        Name: name, Driver: options.driver, EnableIPv6: options.ipv6 === true, Internal: options.internal === true, Attachable: options.attachable === true,
        Options: keyValues(options.opt, '--opt'), Labels: keyValues(options.label, '--label', true),
        IPAM: { Driver: options.ipamDriver, Options: keyValues(options.ipamOpt, '--ipam-opt'), Config: ipamConfigs(options) },
      };
      const reply = (await context.client().ok('POST', '/networks/create', body)) as { Id: string };
      context.io.out(`${reply.Id}\n`);
    });
}

function listCommand(network: Command, context: CommandContext): void {
  network.command('ls')
    .alias('list')
    .description('list networks')
    .option('-q, --quiet', 'only ids')
    .option('-f, --filter <key=value>', 'filter: name, id, driver, label (k or k=v), scope, type (custom|builtin), dangling', collect, [])
    .option('--format <format>', 'table, json, or a template: {{.ID}} {{.Name}} {{.Driver}} {{.Scope}} {{.IPv6}} {{.Internal}} {{.Labels}} {{.CreatedAt}} {{json .}}', 'table')
    .addHelpText('after', '\nExamples:\n  berth network ls\n  berth network ls -q -f label=tier=web\n  berth network ls -f driver=bridge --format json\n  berth network ls --format \'{{.Name}}\\t{{.Driver}}\'')
    .action(async (options: { quiet?: boolean; filter: string[]; format: string }) => {
      const format = isTemplate(options.format) ? 'template' : checkFormat(options.format, ['table', 'json']);
      const networks = (await context.client().ok('GET', `/networks${filtersQuery(options.filter)}`)) as NetworkSummary[];
      if (options.quiet === true) context.io.out(networks.map((entry) => `${shortId(entry.Id)}\n`).join(''));
      else if (format === 'template') context.io.out(renderTemplate(options.format, networks.map(templateRow)));
      else if (format === 'json') context.io.out(jsonText(networks));
      else context.io.out(table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], networks.map((entry) => [shortId(entry.Id), entry.Name, entry.Driver, entry.Scope])));
    });
}

function inspectAndRemoveCommands(network: Command, context: CommandContext): void {
  network.command('inspect')
    .description('show networks in detail (a JSON array, as docker network inspect)')
    .argument('<names...>')
    .option('--format <format>', 'json (the only format)', 'json')
    .addHelpText('after', '\nExample:\n  berth network inspect front back')
    .action(async (names: string[], options: { format: string }) => {
      checkFormat(options.format, ['json']);
      const views: unknown[] = [];
      for (const name of names) views.push(await context.client().ok('GET', `/networks/${encodeURIComponent(name)}`));
      context.io.out(jsonText(views));
    });
  network.command('rm')
    .alias('remove')
    .description('remove networks (they must have no sandboxes attached); prints each name removed')
    .argument('<names...>')
    .addHelpText('after', '\nExample:\n  berth network rm front back')
    .action(async (names: string[]) => {
      let failed = false;
      for (const name of names) {
        try {
          await context.client().ok('DELETE', `/networks/${encodeURIComponent(name)}`);
          context.io.out(`${name}\n`);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          context.io.err(`${error.message}\n`);
          failed = true;
        }
      }
      if (failed) context.exit(1);
    });
}

function attachCommands(network: Command, context: CommandContext): void {
  network.command('connect')
    .description('attach a sandbox to a network (it gets the next ethN)')
    .argument('<network>').argument('<sandbox>')
    .option('--ip <ip>', 'IPv4 address (the network needs a user subnet)')
    .option('--ip6 <ip>', 'IPv6 address')
    .option('--alias <name>', 'extra DNS name on this network', collect, [])
    .addHelpText('after', '\nExample:\n  berth network connect --ip 10.50.0.10 --alias db back web')
    .action(async (networkName: string, sandbox: string, options: { ip?: string; ip6?: string; alias: string[] }) => {
      const ipam = { ...(options.ip === undefined ? {} : { IPv4Address: options.ip }), ...(options.ip6 === undefined ? {} : { IPv6Address: options.ip6 }) };
      await context.client().ok('POST', `/networks/${encodeURIComponent(networkName)}/connect`, { Container: sandbox, EndpointConfig: { Aliases: options.alias, IPAMConfig: ipam } });
    });
  network.command('disconnect')
    .description('detach a sandbox from a network')
    .argument('<network>').argument('<sandbox>')
    .option('-f, --force', 'even if the driver fails to clean up')
    .addHelpText('after', '\nExample:\n  berth network disconnect back web')
    .action(async (networkName: string, sandbox: string, options: { force?: boolean }) => {
      await context.client().ok('POST', `/networks/${encodeURIComponent(networkName)}/disconnect`, { Container: sandbox, Force: options.force === true });
    });
}

function pruneCommand(network: Command, context: CommandContext): void {
  network.command('prune')
    .description('remove all custom networks without sandboxes (never bridge, host, none)')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--filter <key=value>', 'until=<timestamp|duration>, label=k[=v], label!=k[=v]', collect, [])
    .addHelpText('after', '\nWithout -f it asks y/N on a terminal and refuses when stdin is not one.\n\nExamples:\n  berth network prune\n  berth network prune -f --filter until=24h')
    .action(async (options: { force?: boolean; filter: string[] }) => {
      if (options.force !== true) {
        if (!context.io.interactive) throw new CliError('network prune needs confirmation: stdin is not a terminal, add -f to prune without asking');
        const answer = (await context.io.readLine(PRUNE_WARNING)).trim().toLowerCase();
        if (answer !== 'y' && answer !== 'yes') throw new CliError('network prune has been cancelled');
      }
      const reply = (await context.client().ok('POST', `/networks/prune${filtersQuery(options.filter)}`)) as { NetworksDeleted: string[] | null };
      const deleted = reply.NetworksDeleted ?? [];
      context.io.out(deleted.length === 0 ? '' : `Deleted Networks:\n${deleted.join('\n')}\n`);
    });
}

/** `berth network create|ls|inspect|rm|connect|disconnect|prune`. */
export function networkCommands(program: Command, context: CommandContext): void {
  const network = program.command('network').description('manage networks');
  createCommand(network, context);
  listCommand(network, context);
  inspectAndRemoveCommands(network, context);
  attachCommands(network, context);
  pruneCommand(network, context);
}
