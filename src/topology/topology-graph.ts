import { describeDevice } from './network-device.js';
import { endpointText, portText, subnetsText } from './render-text.js';
import type { Topology, TopologyNetwork } from './topology.js';

/** What a node stands for; renderers pick a shape per kind. */
export type GraphNodeKind = 'network' | 'link' | 'vxlan' | 'sandbox' | 'port';

/** A node: a stable id (`network:<id12>`, `link:eth0`, ...) and the lines of its label. */
export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly lines: readonly string[];
}

/** An undirected edge with an optional label (an interface: name, IP, MAC). */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly lines: readonly string[];
}

/** The picture as nodes and edges, shared by the dot and mermaid renderers. */
export interface TopologyGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

function networkNodes(network: TopologyNetwork, links: Map<string, GraphNode>): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const id = `network:${network.id.slice(0, 12)}`;
  const subnets = subnetsText(network);
  const nodes: GraphNode[] = [{ id, kind: 'network', lines: [network.name, `${network.driver} network${network.internal ? ', internal' : ''}`, describeDevice(network.device), ...(subnets === '' ? [] : [subnets])] }];
  const edges: GraphEdge[] = [];
  const device = network.device;
  if (device.kind === 'parent' && device.vlan !== undefined) {
    // Several VLAN networks on one uplink share its node.
    const link = `link:${device.vlan.link}`;
    links.set(link, { id: link, kind: 'link', lines: [device.vlan.link, 'host link'] });
    edges.push({ from: id, to: link, lines: [`VLAN ${device.vlan.id}`] });
  }
  if (device.kind === 'overlay') {
    const vxlan = `vxlan:${network.id.slice(0, 12)}`;
    nodes.push({ id: vxlan, kind: 'vxlan', lines: [device.vxlan, device.vni === undefined ? 'VXLAN' : `VXLAN VNI ${device.vni}`] });
    edges.push({ from: id, to: vxlan, lines: [] });
  }
  return { nodes, edges };
}

/** Networks (with their uplinks and VXLAN devices), sandboxes joined to them by their interfaces, published ports on their sandboxes. */
export function topologyGraph(topology: Topology): TopologyGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const links = new Map<string, GraphNode>();
  for (const network of topology.networks) {
    const part = networkNodes(network, links);
    nodes.push(...part.nodes);
    edges.push(...part.edges);
  }
  nodes.push(...links.values());
  const drawn = new Set(topology.networks.map((network) => network.id));
  for (const sandbox of topology.sandboxes) {
    const id = `sandbox:${sandbox.id.slice(0, 12)}`;
    nodes.push({ id, kind: 'sandbox', lines: [sandbox.name, sandbox.status] });
    for (const endpoint of sandbox.endpoints) {
      if (drawn.has(endpoint.networkId)) edges.push({ from: id, to: `network:${endpoint.networkId.slice(0, 12)}`, lines: endpointText(endpoint).split(' ') });
    }
    sandbox.ports.forEach((port, index) => {
      const portId = `port:${sandbox.id.slice(0, 12)}:${index}`;
      nodes.push({ id: portId, kind: 'port', lines: [portText(port)] });
      edges.push({ from: portId, to: id, lines: [] });
    });
  }
  return { nodes, edges };
}
