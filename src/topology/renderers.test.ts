import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { renderDot } from './render-dot.js';
import { renderMermaid } from './render-mermaid.js';
import { renderSvg } from './render-svg.js';
import { renderText } from './render-text.js';
import { topologyGraph } from './topology-graph.js';
import type { Topology } from './topology.js';

const FRONT = '111111111111aaaa';
const VLAN = '222222222222bbbb';
const OVERLAY = '333333333333cccc';

/** Two sandboxes on a bridge, one of them also on a VLAN macvlan network with a published port; an overlay; a detached sandbox. */
const TOPOLOGY: Topology = {
  networks: [
    { id: FRONT, name: 'front', driver: 'bridge', scope: 'local', internal: false, subnets: [{ subnet: '10.90.0.0/24', gateway: '10.90.0.1' }], device: { kind: 'bridge', name: 'br-111111111111' } },
    { id: OVERLAY, name: 'mesh', driver: 'overlay', scope: 'global', internal: false, subnets: [{ subnet: '10.99.0.0/24', gateway: '10.99.0.1' }], device: { kind: 'overlay', bridge: 'ov-333333333333', vxlan: 'vx-333333333333', vni: 4242 } },
    { id: VLAN, name: 'lan100', driver: 'macvlan', scope: 'local', internal: false, subnets: [{ subnet: '192.168.100.0/24', gateway: undefined }], device: { kind: 'parent', name: 'eth0.100', mode: 'bridge', vlan: { link: 'eth0', id: 100 } } },
  ],
  sandboxes: [
    { id: 'aaaaaaaaaaaa0000', name: 'db', status: 'running', ports: [], endpoints: [
      { networkId: FRONT, networkName: 'front', interfaceName: 'eth0', ipv4: '10.90.0.3', ipv6: undefined, mac: '02:42:0a:5a:00:03' },
    ] },
    { id: 'bbbbbbbbbbbb0000', name: 'idle', status: 'created', ports: [], endpoints: [] },
    { id: 'cccccccccccc0000', name: 'web', status: 'running', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], endpoints: [
      { networkId: FRONT, networkName: 'front', interfaceName: 'eth0', ipv4: '10.90.0.2', ipv6: undefined, mac: '02:42:0a:5a:00:02' },
      { networkId: VLAN, networkName: 'lan100', interfaceName: 'eth1', ipv4: '192.168.100.5', ipv6: 'fd00::5', mac: '02:42:c0:a8:64:05' },
    ] },
  ],
};

describe('renderText', () => {
  test('an indented tree: networks with devices, sandboxes with interface, IP, MAC, ports on the first network', () => {
    expect(renderText(TOPOLOGY, { colour: false })).toBe([
      'front (bridge, 10.90.0.0/24 gw 10.90.0.1) bridge br-111111111111',
      '  ├─ db   eth0 10.90.0.3 02:42:0a:5a:00:03',
      '  └─ web  eth0 10.90.0.2 02:42:0a:5a:00:02  ports 0.0.0.0:8080 -> 80/tcp',
      'mesh (overlay, 10.99.0.0/24 gw 10.99.0.1, global scope) bridge ov-333333333333, vxlan vx-333333333333 VNI 4242',
      '  └─ no sandboxes',
      'lan100 (macvlan, 192.168.100.0/24) parent eth0.100 (VLAN 100 on eth0, bridge mode)',
      '  └─ web  eth1 192.168.100.5 fd00::5 02:42:c0:a8:64:05',
      '(no network)',
      '  └─ idle',
      '',
    ].join('\n'));
  });

  test('colours are SGR sequences only when asked; nothing at all prints a note', () => {
    expect(renderText(TOPOLOGY, { colour: false })).not.toContain('\u001b[');
    expect(renderText(TOPOLOGY, { colour: true })).toContain('\u001b[1;36mfront\u001b[0m');
    expect(renderText({ networks: [], sandboxes: [] }, { colour: false })).toBe('no networks\n');
  });
});

describe('topologyGraph', () => {
  test('nodes per network, uplink, VXLAN device, sandbox and port; edges per interface', () => {
    const graph = topologyGraph(TOPOLOGY);
    expect(graph.nodes.map((node) => node.id)).toEqual([
      'network:111111111111', 'network:333333333333', 'vxlan:333333333333', 'network:222222222222', 'link:eth0',
      'sandbox:aaaaaaaaaaaa', 'sandbox:bbbbbbbbbbbb', 'sandbox:cccccccccccc', 'port:cccccccccccc:0',
    ]);
    expect(graph.edges.map((edge) => [edge.from, edge.to, edge.lines.join(' ')])).toEqual([
      ['network:333333333333', 'vxlan:333333333333', ''],
      ['network:222222222222', 'link:eth0', 'VLAN 100'],
      ['sandbox:aaaaaaaaaaaa', 'network:111111111111', 'eth0 10.90.0.3 02:42:0a:5a:00:03'],
      ['sandbox:cccccccccccc', 'network:111111111111', 'eth0 10.90.0.2 02:42:0a:5a:00:02'],
      ['sandbox:cccccccccccc', 'network:222222222222', 'eth1 192.168.100.5 fd00::5 02:42:c0:a8:64:05'],
      ['port:cccccccccccc:0', 'sandbox:cccccccccccc', ''],
    ]);
  });
});

describe('renderDot', () => {
  const dot = renderDot(TOPOLOGY);
  test('an undirected graph with one node statement per node and one edge per interface, uplink and port', () => {
    expect(dot.startsWith('graph berth {\n')).toBe(true);
    expect(dot.endsWith('}\n')).toBe(true);
    expect(dot.match(/^ {2}"[^"]+" \[shape=/gm)).toHaveLength(9);
    expect(dot.match(/ -- /g)).toHaveLength(6);
    expect(dot).toContain('"network:111111111111" [shape=box, style="rounded,filled", fillcolor="#dbeafe", label="front\\nbridge network\\nbridge br-111111111111\\n10.90.0.0/24 gw 10.90.0.1"];');
    expect(dot).toContain('"sandbox:cccccccccccc" -- "network:222222222222" [label="eth1\\n192.168.100.5\\nfd00::5\\n02:42:c0:a8:64:05"];');
    expect(dot).toContain('"vxlan:333333333333" [shape=box, style=filled, fillcolor="#fde68a", label="vx-333333333333\\nVXLAN VNI 4242"];');
  });

  test('quotes and backslashes in names are escaped', () => {
    const odd: Topology = { networks: [], sandboxes: [{ id: 'x', name: 'a"b\\c', status: 'created', endpoints: [], ports: [] }] };
    expect(renderDot(odd)).toContain('label="a\\"b\\\\c\\ncreated"');
  });

  test.skipIf(!hasGraphviz())('Graphviz renders it as SVG with a group per node and edge', async () => {
    const svg = await renderSvg(dot);
    expect(svg).toContain('<svg');
    expect(svg.match(/class="node"/g)).toHaveLength(9);
    expect(svg.match(/class="edge"/g)).toHaveLength(6);
  });
});

describe('renderMermaid', () => {
  test('a flowchart with shaped, quoted nodes and labelled links', () => {
    const lines = renderMermaid(TOPOLOGY).trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  network_111111111111["front<br/>bridge network<br/>bridge br-111111111111<br/>10.90.0.0/24 gw 10.90.0.1"]');
    expect(lines).toContain('  link_eth0[/"eth0<br/>host link"/]');
    expect(lines).toContain('  vxlan_333333333333[["vx-333333333333<br/>VXLAN VNI 4242"]]');
    expect(lines).toContain('  sandbox_cccccccccccc(["web<br/>running"])');
    expect(lines).toContain('  port_cccccccccccc_0>"0.0.0.0:8080 -> 80/tcp"]');
    expect(lines).toContain('  sandbox_aaaaaaaaaaaa ---|"eth0<br/>10.90.0.3<br/>02:42:0a:5a:00:03"| network_111111111111');
    expect(lines).toContain('  port_cccccccccccc_0 --- sandbox_cccccccccccc');
    expect(lines.filter((line) => / ---[ |]/.test(line))).toHaveLength(6);
  });
});

function hasGraphviz(): boolean {
  try {
    execFileSync('dot', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
