import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../client.js';
import { CliError } from '../client.js';
import type { CliOutput } from '../output.js';
import { collect, keyValues, table } from '../output.js';

interface Inspect {
  readonly Id: string;
  readonly Name: string;
  readonly State: { readonly Status: string; readonly Pid: number; readonly ExitCode: number };
  readonly NetworkSettings: { readonly SandboxKey: string; readonly Networks: Record<string, { readonly IPAddress: string }> };
}

interface Summary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Command: string;
  readonly Status: string;
  readonly NetworkSettings: { readonly Networks: Record<string, { readonly IPAddress: string }> };
}

interface RunOptions {
  detach?: boolean; name?: string; network: string[]; ip?: string; ip6?: string; alias: string[]; publish: string[];
  dns: string[]; dnsSearch: string[]; dnsOption: string[]; hostname?: string; addHost: string[]; rm?: boolean; label: string[];
}

/** `berth run`, `exec`, `ps`, `rm`, `port`: sandboxes without a container engine. */
export function sandboxCommands(program: Command, context: { readonly client: () => ApiClient; readonly output: CliOutput; readonly exit: (code: number) => void }): void {
  program.command('run')
    .description('create a sandbox (network namespace) attached to networks and run a command in it')
    .argument('<command...>', 'the command, after --')
    .option('-d, --detach', 'print the sandbox id and return; the command keeps running')
    .option('--name <name>', 'sandbox name (also its DNS name)')
    .option('--network <network>', 'network to attach, in order: eth0, eth1... (repeatable)', collect, [])
    .option('--ip <ip>', 'IPv4 address on the first network')
    .option('--ip6 <ip>', 'IPv6 address on the first network')
    .option('--alias <name>', 'DNS alias on the first network', collect, [])
    .option('-p, --publish <[ip:][host:]container[/proto]>', 'publish a port on the first network (kernel DNAT, no proxy); no host port = ephemeral', collect, [])
    .option('--dns <ip>', 'nameserver for /etc/resolv.conf', collect, [])
    .option('--dns-search <domain>', 'search domain', collect, [])
    .option('--dns-option <option>', 'resolv.conf option', collect, [])
    .option('--hostname <name>', 'hostname inside the sandbox')
    .option('--add-host <name:ip>', 'extra /etc/hosts entry', collect, [])
    .option('--rm', 'remove the sandbox when the command exits (foreground only)')
    .option('--label <key=value>', 'label', collect, [])
    .addHelpText('after', `
Examples:
  berth run --name web --network front -- busybox httpd -f -p 80
  berth run -d --name db --network back --ip 10.50.0.10 --alias database -- sleep infinity
  berth run --rm --network front -- ping -c 1 web`)
    .action(async (command: string[], options: RunOptions) => {
      const [first, ...rest] = options.network;
      const networks = [
        ...(first === undefined ? [] : [{ Network: first, Aliases: options.alias, ...(options.ip === undefined ? {} : { IPv4Address: options.ip }), ...(options.ip6 === undefined ? {} : { IPv6Address: options.ip6 }) }]),
        ...rest.map((network) => ({ Network: network })),
      ];
      const client = context.client();
      const reply = (await client.ok('POST', '/berth/sandboxes', {
        ...(options.name === undefined ? {} : { Name: options.name }),
        ...(options.hostname === undefined ? {} : { Hostname: options.hostname }),
        Networks: networks, Dns: options.dns, DnsSearch: options.dnsSearch, DnsOptions: options.dnsOption,
        ExtraHosts: options.addHost, Labels: keyValues(options.label, '--label'), Cmd: command, Ports: options.publish,
      })) as { Id: string };
      if (options.detach === true) {
        context.output.out(`${reply.Id}\n`);
        return;
      }
      let inspect = (await client.ok('GET', `/containers/${reply.Id}/json`)) as Inspect;
      while (inspect.State.Status === 'running') {
        await sleep(100);
        inspect = (await client.ok('GET', `/containers/${reply.Id}/json`)) as Inspect;
      }
      if (options.rm === true) await client.ok('DELETE', `/containers/${reply.Id}?force=true`);
      context.exit(inspect.State.ExitCode);
    });

  program.command('exec')
    .description('run a command inside a sandbox (its network, mount and UTS namespaces)')
    .argument('<sandbox>').argument('<command...>', 'the command, after --')
    .addHelpText('after', '\nExample:\n  berth exec web -- ip addr')
    .action(async (sandbox: string, command: string[]) => {
      const inspect = (await context.client().ok('GET', `/containers/${encodeURIComponent(sandbox)}/json`)) as Inspect;
      const target = inspect.State.Status === 'running' && inspect.State.Pid > 0
        ? ['--target', String(inspect.State.Pid), '--net', '--mount', '--uts']
        : [`--net=${inspect.NetworkSettings.SandboxKey}`];
      const result = spawnSync('nsenter', [...target, '--', ...command], { stdio: 'inherit' });
      if (result.error !== undefined) throw new CliError(`exec in ${sandbox}: ${result.error.message}`);
      context.exit(result.status ?? 1);
    });

  program.command('ps')
    .description('list sandboxes')
    .option('-a, --all', 'include sandboxes whose command exited')
    .option('-q, --quiet', 'only ids')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', '\nExample:\n  berth ps -a')
    .action(async (options: { all?: boolean; quiet?: boolean; format: string }) => {
      const list = (await context.client().ok('GET', `/containers/json${options.all === true ? '?all=true' : ''}`)) as Summary[];
      if (options.quiet === true) return context.output.out(list.map((entry) => `${entry.Id.slice(0, 12)}\n`).join(''));
      if (options.format === 'json') return context.output.out(`${JSON.stringify(list, null, 2)}\n`);
      const rows = list.map((entry) => [
        entry.Id.slice(0, 12), entry.Names[0]?.replace(/^\//, '') ?? '', entry.Command, entry.Status,
        Object.entries(entry.NetworkSettings.Networks).map(([name, settings]) => `${name}:${settings.IPAddress}`).join(' '),
      ]);
      context.output.out(table(['SANDBOX ID', 'NAME', 'COMMAND', 'STATUS', 'NETWORKS'], rows));
    });

  program.command('rm')
    .description('remove sandboxes: their endpoints, addresses and namespace')
    .argument('<sandboxes...>')
    .option('-f, --force', 'stop the running command first')
    .addHelpText('after', '\nExample:\n  berth rm -f web')
    .action(async (sandboxes: string[], options: { force?: boolean }) => {
      for (const sandbox of sandboxes) {
        await context.client().ok('DELETE', `/containers/${encodeURIComponent(sandbox)}${options.force === true ? '?force=true' : ''}`);
        context.output.out(`${sandbox}\n`);
      }
    });

  program.command('port')
    .description('show the published ports of a sandbox')
    .argument('<sandbox>')
    .addHelpText('after', '\nExample:\n  berth port web      # 80/tcp -> 0.0.0.0:8080')
    .action(async (sandbox: string) => {
      const inspect = (await context.client().ok('GET', `/containers/${encodeURIComponent(sandbox)}/json`)) as { NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[]> } };
      for (const [port, bindings] of Object.entries(inspect.NetworkSettings.Ports)) {
        for (const binding of bindings) context.output.out(`${port} -> ${binding.HostIp}:${binding.HostPort}\n`);
      }
    });
}
