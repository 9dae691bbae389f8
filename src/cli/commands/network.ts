import type { Command } from 'commander';
import type { ApiClient } from '../client.js';
import { CliError } from '../client.js';
import type { CliOutput } from '../output.js';
import { collect, keyValues, table } from '../output.js';

interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope: string;
}

/** Several --subnet pair with --ip-range / --gateway by position, as in `docker network create`. */
function ipamConfigs(options: { subnet: string[]; ipRange: string[]; gateway: string[]; auxAddress: string[] }): Record<string, unknown>[] {
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

function filtersQuery(filters: readonly string[]): string {
  if (filters.length === 0) return '';
  const grouped: Record<string, Record<string, boolean>> = {};
  for (const filter of filters) {
    const at = filter.indexOf('=');
    if (at <= 0) throw new CliError(`--filter ${JSON.stringify(filter)}: expected key=value`);
    (grouped[filter.slice(0, at)] ??= {})[filter.slice(at + 1)] = true;
  }
  return `?filters=${encodeURIComponent(JSON.stringify(grouped))}`;
}

/** `berth network ...` */
export function networkCommands(program: Command, context: { readonly client: () => ApiClient; readonly output: CliOutput }): void {
  const network = program.command('network').description('manage networks');
  network.command('create')
    .description('create a network')
    .argument('<name>')
    .option('-d, --driver <driver>', 'network driver (bridge, host, null)', 'bridge')
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
  berth network create --ipv6 --subnet fd00:50::/64 --internal -o com.docker.network.bridge.enable_icc=false quiet`)
    .action(async (name: string, options: { driver: string; subnet: string[]; ipRange: string[]; gateway: string[]; auxAddress: string[]; ipv6?: boolean; internal?: boolean; attachable?: boolean; opt: string[]; label: string[]; ipamDriver: string; ipamOpt: string[] }) => {
      const body = {
        Name: name, Driver: options.driver, EnableIPv6: options.ipv6 === true, Internal: options.internal === true, Attachable: options.attachable === true,
        Options: keyValues(options.opt, '--opt'), Labels: keyValues(options.label, '--label'),
        IPAM: { Driver: options.ipamDriver, Options: keyValues(options.ipamOpt, '--ipam-opt'), Config: ipamConfigs(options) },
      };
      const reply = (await context.client().ok('POST', '/networks/create', body)) as { Id: string };
      context.output.out(`${reply.Id}\n`);
    });
  network.command('ls')
    .alias('list')
    .description('list networks')
    .option('-q, --quiet', 'only ids')
    .option('-f, --filter <key=value>', 'filter: name, id, driver, label, scope, type, dangling', collect, [])
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  berth network ls\n  berth network ls -f driver=bridge --format json')
    .action(async (options: { quiet?: boolean; filter: string[]; format: string }) => {
      const networks = (await context.client().ok('GET', `/networks${filtersQuery(options.filter)}`)) as NetworkSummary[];
      if (options.quiet === true) context.output.out(networks.map((entry) => `${entry.Id.slice(0, 12)}\n`).join(''));
      else if (options.format === 'json') context.output.out(`${JSON.stringify(networks, null, 2)}\n`);
      else context.output.out(table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], networks.map((entry) => [entry.Id.slice(0, 12), entry.Name, entry.Driver, entry.Scope])));
    });
  network.command('inspect')
    .description('show networks in detail (JSON)')
    .argument('<names...>')
    .addHelpText('after', '\nExample:\n  berth network inspect front back')
    .action(async (names: string[]) => {
      const views = [];
      for (const name of names) views.push(await context.client().ok('GET', `/networks/${encodeURIComponent(name)}`));
      context.output.out(`${JSON.stringify(views, null, 4)}\n`);
    });
  network.command('rm')
    .alias('remove')
    .description('remove networks (they must have no sandboxes attached)')
    .argument('<names...>')
    .addHelpText('after', '\nExample:\n  berth network rm front')
    .action(async (names: string[]) => {
      for (const name of names) {
        await context.client().ok('DELETE', `/networks/${encodeURIComponent(name)}`);
        context.output.out(`${name}\n`);
      }
    });
  network.command('connect')
    .description('attach a sandbox to a network (it gets the next ethN)')
    .argument('<network>').argument('<sandbox>')
    .option('--ip <ip>', 'IPv4 address (the network needs a user subnet)')
    .option('--ip6 <ip>', 'IPv6 address')
    .option('--alias <name>', 'extra DNS name on this network', collect, [])
    .addHelpText('after', '\nExample:\n  berth network connect --ip 10.50.0.10 --alias db back web')
    .action(async (networkName: string, sandbox: string, options: { ip?: string; ip6?: string; alias: string[] }) => {
      await context.client().ok('POST', `/networks/${encodeURIComponent(networkName)}/connect`, {
        Container: sandbox,
        EndpointConfig: { Aliases: options.alias, IPAMConfig: { ...(options.ip === undefined ? {} : { IPv4Address: options.ip }), ...(options.ip6 === undefined ? {} : { IPv6Address: options.ip6 }) } },
      });
    });
  network.command('disconnect')
    .description('detach a sandbox from a network')
    .argument('<network>').argument('<sandbox>')
    .option('-f, --force', 'even if the driver fails to clean up')
    .addHelpText('after', '\nExample:\n  berth network disconnect back web')
    .action(async (networkName: string, sandbox: string, options: { force?: boolean }) => {
      await context.client().ok('POST', `/networks/${encodeURIComponent(networkName)}/disconnect`, { Container: sandbox, Force: options.force === true });
    });
  network.command('prune')
    .description('remove all networks without sandboxes (not the predefined ones)')
    .option('-f, --force', 'do not ask')
    .addHelpText('after', '\nExample:\n  berth network prune -f')
    .action(async (options: { force?: boolean }) => {
      if (options.force !== true) throw new CliError('network prune removes every unused network: add -f to confirm');
      const reply = (await context.client().ok('POST', '/networks/prune')) as { NetworksDeleted: string[] | null };
      const deleted = reply.NetworksDeleted ?? [];
      context.output.out(deleted.length === 0 ? '' : `Deleted Networks:\n${deleted.join('\n')}\n`);
    });
}
