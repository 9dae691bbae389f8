/**
 * bench/overlay, attach section: `POST /networks/{id}/connect` (and disconnect) of a sandbox on
 * host 1 to an overlay network, median of N pairs, once with host 1 the only berthd of the
 * cluster and once with three (hosts 2 and 3 each holding a member of the same network, so they
 * follow every endpoint through their etcd watch). Each overlay probe runs next to a connect
 * of the same sandbox to a local bridge network on the same host — the baseline measured in the
 * same moment, so the load of the machine hits both alike.
 */
import type { ClusterNode } from '../../src/lab/index.js';
import { api, median, percentile, timed } from './common.js';

export interface AttachSample {
  readonly overlay: readonly number[];
  readonly overlayDisconnect: readonly number[];
  readonly bridge: readonly number[];
}

/** Connect/disconnect pairs of sandbox `probe` on `node`: overlay `overlay`, then bridge `bridge`. */
export async function attachProbes(node: ClusterNode, init: { readonly probe: string; readonly overlay: string; readonly bridge: string; readonly count: number }): Promise<AttachSample> {
  const ok = api(node);
  const overlay: number[] = [];
  const overlayDisconnect: number[] = [];
  const bridge: number[] = [];
  // One untimed round first: the first overlay connect also creates berth_gwbridge.
  for (let round = -1; round < init.count; round += 1) {
    const connect = await timed(() => ok('POST', `/networks/${init.overlay}/connect`, { Container: init.probe }));
    const disconnect = await timed(() => ok('POST', `/networks/${init.overlay}/disconnect`, { Container: init.probe }));
    const local = await timed(async () => {
      await ok('POST', `/networks/${init.bridge}/connect`, { Container: init.probe });
    });
    await ok('POST', `/networks/${init.bridge}/disconnect`, { Container: init.probe });
    if (round < 0) continue;
    overlay.push(connect);
    overlayDisconnect.push(disconnect);
    bridge.push(local);
  }
  return { overlay, overlayDisconnect, bridge };
}

/** Markdown rows for the attach table: one per cluster size. */
export function attachRows(samples: readonly { readonly hosts: number; readonly sample: AttachSample }[]): string[] {
  const first = samples[0];
  const rows = samples.map(({ hosts, sample }) => {
    const overlay = median(sample.overlay);
    const bridge = median(sample.bridge);
    const vsOne = first === undefined ? Number.NaN : overlay / median(first.sample.overlay);
    return `| ${hosts} | ${overlay.toFixed(1)} ms (p95 ${percentile(sample.overlay, 95).toFixed(1)}) | ${median(sample.overlayDisconnect).toFixed(1)} ms | ${bridge.toFixed(1)} ms | ${(overlay / bridge).toFixed(2)}× | ${vsOne.toFixed(2)}× |`;
  });
  const count = first?.sample.overlay.length ?? 0;
  return [
    `## attach latency: connect of a sandbox on host 1 to an overlay network (median of ${count} connect/disconnect pairs; each next to a connect to a local bridge network, same host, same moment)`,
    '| berthd hosts in the cluster | overlay connect (API) | overlay disconnect | local bridge connect (baseline) | overlay / bridge | vs 1 host |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ];
}
