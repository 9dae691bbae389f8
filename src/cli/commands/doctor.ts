import type { Command } from 'commander';
import { doctorExitCode, formatDoctorReport, runDoctor } from '../../doctor/index.js';
import type { HostProbe } from '../../doctor/index.js';
import { parseHost } from '../client.js';
import type { CommandContext } from '../io.js';
import { checkFormat, jsonText } from '../options.js';

/** What `berth doctor` reads: the machine (a fake in tests) and the daemon address to check. */
export interface DoctorSetup {
  readonly probe: () => HostProbe;
  readonly host: () => string;
}

/** `berth doctor`: checks this machine for what berth needs, read-only, and says how to fix what is missing. */
export function doctorCommands(program: Command, context: CommandContext, setup: DoctorSetup): void {
  program.command('doctor')
    .description('check this host for what berth needs (kernel features, firewall, routes, socket) and print fixes')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', `
Exit status: 0 every check ok, 2 warnings only, 1 something berth needs is missing.
Nothing is changed. Namespace state (routes, sysctls, firewall) is read from the namespace
berth doctor runs in, so run it where berthd runs.

Examples:
  berth doctor
  berth doctor --format json | jq '.checks[] | select(.status != "ok")'`)
    .action(async (options: { format: string }) => {
      const format = checkFormat(options.format, ['text', 'json']);
      const address = parseHost(setup.host());
      const report = await runDoctor(setup.probe(), { socketPath: address.socketPath ?? '/run/berth/berth.sock' });
      context.io.out(format === 'json' ? jsonText(report) : formatDoctorReport(report));
      context.exit(doctorExitCode(report));
    });
}
