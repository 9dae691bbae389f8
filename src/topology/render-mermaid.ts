import { topologyGraph } from './topology-graph.js';
import type { GraphNodeKind } from './topology-graph.js';
import type { Topology } from './topology.js';

/** Opening and closing brackets of each kind's shape. */
const SHAPES: Readonly<Record<GraphNodeKind, readonly [string, string]>> = {
  network: ['[', ']'],
  link: ['[/', '/]'],
  vxlan: ['[[', ']]'],
  sandbox: ['([', '])'],
  port: ['>', ']'],
};

/** Mermaid node ids allow letters, digits and underscores. */
function nodeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A quoted label: `"` as Mermaid's entity, lines joined with <br/>. */
function label(lines: readonly string[]): string {
  return `"${lines.map((line) => line.replace(/"/g, '#quot;')).join('<br/>')}"`;
}

/** A Mermaid flowchart (GitHub renders it in Markdown). */
export function renderMermaid(topology: Topology): string {
  const graph = topologyGraph(topology);
  const lines = [
    'flowchart LR',
    ...graph.nodes.map((node) => {
      const [open, close] = SHAPES[node.kind];
      return `  ${nodeId(node.id)}${open}${label(node.lines)}${close}`;
    }),
    ...graph.edges.map((edge) => `  ${nodeId(edge.from)} ---${edge.lines.length === 0 ? '' : `|${label(edge.lines)}|`} ${nodeId(edge.to)}`),
  ];
  return `${lines.join('\n')}\n`;
}
