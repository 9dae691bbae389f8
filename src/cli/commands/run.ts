import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { CliError } from '../client.js';
import type { CommandContext } from '../io.js';
import { collect, keyValues } from '../options.js';

/** What `run` and `exec` read from `GET /containers/{id}/json`. */
export interface ContainerState {
  readonly Id: string;
  readonly State: { readonly Status: string; readonly Pid: number; readonly ExitCode: number };
  readonly NetworkSettings: { readonly SandboxKey: string };
}

interface RunOptions {
  detach?: boolean; name?: string; network: string[]; ip?: string; ip6?: string; alias: string[]; publish: string[];
  dns: string[]; dnsSearch: string[]; dnsOption: string[]; hostname?: string; addHost: string[]; rm?: boolean; label: string[];
}

const POLL_MS = 100;

/** The `POST /berth/sandboxes` body for `berth run`: --ip/--ip6/--alias apply to the first --network. */
function sandboxBody(command: readonly string[], options: RunOptions): Record<string, unknown> {
  const [first, ...rest] = options.network;
  if (first === undefined && (options.ip !== undefined || options.ip6 !== undefined || options.alias.length > 0)) {
    throw new CliError('--ip, --ip6 and --alias need a --network');
  }
  const networks = [
    ...(first === undefined ? [] : [{ Network: first, Aliases: options.alias, ...(options.ip === undefined ? {} : { IPv4Address: options.ip }), ...(options.ip6 === undefined ? {} : { IPv6Address: options.ip6 }) }]),
    ...rest.map((network) => ({ Network: network })),
  ];
  return {
    ...(options.name === undefined ? {} : { Name: options.name }),
    ...(options.hostname === undefined ? {} : { Hostname: options.hostname }),
    Networks: networks, Dns: options.dns, DnsSearch: options.dnsSearch, DnsOptions: options.dnsOption,
    ExtraHosts: options.addHost, Labels: keyValues(options.label, '--label', true), Cmd: command, Ports: options.publish,
  };
}

function runCommand(program: Command, context: CommandContext): void {
  program.command('run')
    .description('create a sandbox (network namespace) attached to networks and run a command in it')
    .argument('<command...>', 'the command, after --')
    .option('-d, --detach', 'print the sandbox id and return; the command keeps running')
    .option('--name <name>', 'sandbox name (also its DNS name)')
    .option('--network <network>', 'network to attach, in order: eth0, eth1... (repeatable)', collect, [])
    .option('--ip <ip>', 'IPv4 address on the first network')
    .option('--ip6 <ip>', 'IPv6 address on the first network')
    .option('--alias <name>', 'DNS alias on the first network', collect, [])
    .option('-p, --publish <[ip:][host:]container[/proto]>', 'publish a port on the first network (bridge driver)', collect, [])
    .option('--dns <ip>', 'nameserver for /etc/resolv.conf', collect, [])
    .option('--dns-search <domain>', 'search domain', collect, [])
    .option('--dns-option <option>', 'resolv.conf option', collect, [])
    .option('--hostname <name>', 'hostname inside the sandbox')
    .option('--add-host <name:ip>', 'extra /etc/hosts entry', collect, [])
    .option('--rm', 'remove the sandbox when the command exits (foreground only)')
    .option('--label <key=value>', 'label', collect, [])
    .addHelpText('after', `
Without -d, berth prints the sandbox id, waits for the command (polling every 100 ms) and exits
with its exit code; the command's output goes to the daemon's log, not to this terminal.

Examples:
  berth run --name web --network front -- busybox httpd -f -p 80
  berth run -d --name db --network back --ip 10.50.0.10 --alias database -- sleep infinity
  berth run -d --name api --network front -p 8080:80 -- busybox httpd -f -p 80
  berth run --rm --network front -- ping -c 1 web`)
    .action(async (command: string[], options: RunOptions) => {
      const client = context.client();
      const reply = (await client.ok('POST', '/berth/sandboxes', sandboxBody(command, options))) as { Id: string };
      context.io.out(`${reply.Id}\n`);
      if (options.detach === true) return;
      let inspect = (await client.ok('GET', `/containers/${reply.Id}/json`)) as ContainerState;
      while (inspect.State.Status === 'running') {
        await sleep(POLL_MS);
        inspect = (await client.ok('GET', `/containers/${reply.Id}/json`)) as ContainerState;
      }
      if (options.rm === true) await client.ok('DELETE', `/containers/${reply.Id}?force=true`);
      context.exit(inspect.State.ExitCode);
    });
}

/** nsenter arguments: the running process's namespaces, else the sandbox's network namespace. */
export function nsenterArgs(inspect: ContainerState, command: readonly string[]): string[] {
  const target = inspect.State.Status === 'running' && inspect.State.Pid > 0
    ? ['--target', String(inspect.State.Pid), '--net', '--mount', '--uts']
    : [`--net=${inspect.NetworkSettings.SandboxKey}`];
  return [...target, '--', ...command];
}

function execCommand(program: Command, context: CommandContext): void {
  program.command('exec')
    .description('run a command inside a sandbox (its network, mount and UTS namespaces) with local nsenter')
    .argument('<sandbox>').argument('<command...>', 'the command, after --')
    .addHelpText('after', `
Runs on this host (needs root and nsenter). With a running process it enters that process's
network, mount and UTS namespaces; otherwise only the sandbox's network namespace.

Example:
  berth exec web -- ip addr`)
    .action(async (sandbox: string, command: string[]) => {
      const inspect = (await context.client().ok('GET', `/containers/${encodeURIComponent(sandbox)}/json`)) as ContainerState;
      try {
        context.exit(await context.io.run('nsenter', nsenterArgs(inspect, command)));
      } catch (error) {
        throw new CliError(`exec in ${sandbox}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
}

/** `berth run` and `berth exec`. */
export function runCommands(program: Command, context: CommandContext): void {
  runCommand(program, context);
  execCommand(program, context);
}
