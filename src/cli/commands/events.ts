import type { Command } from 'commander';
import { CliError } from '../client.js';
import type { CommandContext } from '../io.js';
import { checkFormat, collect } from '../options.js';
import { filtersQuery } from './network.js';

interface EventMessage {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly time?: number;
  readonly timeNano?: number;
}

/** The daemon writes exact nanoseconds; JSON.parse would round them, so read them from the text. */
function nanosOf(line: string, event: EventMessage): bigint {
  const match = /"timeNano":(\d+)/.exec(line);
  if (match?.[1] !== undefined) return BigInt(match[1]);
  return BigInt(event.time ?? 0) * 1_000_000_000n;
}

/** As `docker events` prints: RFC 3339 with fixed nanoseconds (UTC), type, action, id, (k=v, ...) sorted. */
export function formatEvent(line: string): string {
  const event = JSON.parse(line) as EventMessage;
  const nanos = nanosOf(line, event);
  const seconds = new Date(Number(nanos / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  const attributes = Object.entries(event.Actor.Attributes ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`);
  return `${seconds}.${fraction}Z ${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length === 0 ? '' : ` (${attributes.join(', ')})`}\n`;
}

/** `--since`/`--until` as the docker CLI sends them: durations and dates become unix seconds here. */
function timeValue(value: string, flag: string): string {
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  const duration = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(value);
  if (duration !== null) {
    const ms = Number(duration[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[duration[2] as 'h' | 'm' | 's'];
    return ((Date.now() - ms) / 1000).toFixed(9);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new CliError(`invalid argument "${value}" for "${flag}" flag: expected unix seconds, a duration (10m) or a date (RFC 3339)`);
  return (parsed / 1000).toFixed(3);
}

/** `berth events`: the daemon's network and sandbox events, live. */
export function eventCommands(program: Command, context: CommandContext): void {
  program.command('events')
    .description('print network and sandbox events as they happen (Docker\'s format)')
    .option('--since <time>', 'also print buffered events from this time (unix seconds, 10m, RFC 3339)')
    .option('--until <time>', 'stop at this time (a past time prints buffered events and exits)')
    .option('-f, --filter <k=v>', 'type, event, network, container, scope, label (repeatable)', collect, [])
    .option('--format <format>', 'text or json (one JSON object per line)', 'text')
    .addHelpText('after', '\nExamples:\n  berth events\n  berth events --since 10m --until 0s --filter type=network --filter event=connect\n  berth events --format json --filter network=front')
    .action(async (options: { since?: string; until?: string; filter: string[]; format: string }) => {
      const format = checkFormat(options.format, ['text', 'json']);
      const query = new URLSearchParams();
      if (options.since !== undefined) query.set('since', timeValue(options.since, '--since'));
      if (options.until !== undefined) query.set('until', timeValue(options.until, '--until'));
      const filters = filtersQuery(options.filter);
      const search = [query.toString(), filters.replace(/^\?/, '')].filter((part) => part !== '').join('&');
      await context.client().stream(`/events${search === '' ? '' : `?${search}`}`, (line) => {
        if (line.trim() === '') return;
        context.io.out(format === 'json' ? `${line}\n` : formatEvent(line));
      });
    });
}
