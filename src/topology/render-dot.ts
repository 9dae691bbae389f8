import { topologyGraph } from './topology-graph.js';
import type { GraphNodeKind } from './topology-graph.js';
import type { Topology } from './topology.js';

const SHAPES: Readonly<Record<GraphNodeKind, string>> = {
  network: 'shape=box, style="rounded,filled", fillcolor="#dbeafe"',
  link: 'shape=box, style=filled, fillcolor="#e5e7eb"',
  vxlan: 'shape=box, style=filled, fillcolor="#fde68a"',
  sandbox: 'shape=component, style=filled, fillcolor="#dcfce7"',
  port: 'shape=cds, style=filled, fillcolor="#fee2e2"',
};

/** A DOT string literal; lines joined with DOT's `\n`. */
function quote(lines: readonly string[]): string {
  return `"${lines.map((line) => line.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
}

/** Graphviz DOT (an undirected graph, left to right); `dot -Tsvg` turns it into a picture. */
export function renderDot(topology: Topology): string {
  const graph = topologyGraph(topology);
  const lines = [
    'graph berth {',
    '  graph [rankdir=LR, fontname="Helvetica"];',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
    ...graph.nodes.map((node) => `  ${quote([node.id])} [${SHAPES[node.kind]}, label=${quote(node.lines)}];`),
    ...graph.edges.map((edge) => `  ${quote([edge.from])} -- ${quote([edge.to])}${edge.lines.length === 0 ? '' : ` [label=${quote(edge.lines)}]`};`),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
