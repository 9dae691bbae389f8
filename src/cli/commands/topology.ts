import type { Command } from 'commander';
import { CliError } from '../client.js';
import type { ApiClient } from '../client.js';
import type { CommandContext } from '../io.js';
import { checkFormat, jsonText } from '../options.js';
import { buildTopology, renderDot, renderMermaid, renderSvg, renderText, SvgRenderError, WireShapeError } from '../../topology/index.js';
import type { Topology } from '../../topology/index.js';

const FORMATS = ['text', 'json', 'dot', 'mermaid', 'svg'] as const;

function idsOf(list: unknown): string[] {
  if (!Array.isArray(list)) throw new CliError('unexpected reply from berthd: a list was expected');
  return list.flatMap((entry: unknown) => (typeof entry === 'object' && entry !== null && 'Id' in entry && typeof entry.Id === 'string' ? [entry.Id] : []));
}

/** Inspects each id; one removed between the list and the inspect (404) is left out. */
async function inspectAll(client: ApiClient, paths: readonly string[]): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (const path of paths) {
    const reply = await client.call('GET', path);
    if (reply.status === 404) continue;
    if (reply.status >= 300) await client.ok('GET', path);
    bodies.push(reply.body);
  }
  return bodies;
}

/** Reads networks and sandboxes from berthd and builds the model. */
export async function readTopology(client: ApiClient): Promise<Topology> {
  const networkIds = idsOf(await client.ok('GET', '/networks'));
  const sandboxIds = idsOf(await client.ok('GET', '/containers/json?all=true'));
  const networks = await inspectAll(client, networkIds.map((id) => `/networks/${encodeURIComponent(id)}`));
  const sandboxes = await inspectAll(client, sandboxIds.map((id) => `/containers/${encodeURIComponent(id)}/json`));
  try {
    return buildTopology({ networks, sandboxes });
  } catch (error) {
    if (error instanceof WireShapeError) throw new CliError(error.message);
    throw error;
  }
}

/** `berth topology`: a picture of networks, devices, sandboxes, interfaces and published ports. */
export function topologyCommands(program: Command, context: CommandContext, options: { readonly colour: () => boolean }): void {
  program.command('topology')
    .description('draw networks, their bridges/parents/VXLAN devices, sandboxes with interface, IP and MAC, and published ports')
    .option('--format <format>', 'text (an indented tree), json, dot (Graphviz), mermaid or svg (needs Graphviz dot)', 'text')
    .addHelpText('after', `
Colours only when stdout is a terminal and NO_COLOR is unset. Interface names (ethN) follow the
order berthd lists a sandbox's networks in.

Examples:
  berth topology
  berth topology --format mermaid
  berth topology --format svg > topology.svg
  berth topology --format dot | dot -Tpng > topology.png`)
    .action(async (commandOptions: { format: string }) => {
      const format = checkFormat(commandOptions.format, FORMATS);
      const topology = await readTopology(context.client());
      switch (format) {
        case 'text':
          return context.io.out(renderText(topology, { colour: options.colour() }));
        case 'json':
          return context.io.out(jsonText(topology));
        case 'dot':
          return context.io.out(renderDot(topology));
        case 'mermaid':
          return context.io.out(renderMermaid(topology));
        case 'svg':
          try {
            return context.io.out(await renderSvg(renderDot(topology)));
          } catch (error) {
            if (error instanceof SvgRenderError) throw new CliError(error.message);
            throw error;
          }
      }
    });
}
