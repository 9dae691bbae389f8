import { BerthError } from '../../../errors/index.js';
import type { FirewallBackend, FirewallBatch } from '../../firewall.js';
import type { Netns } from '../../netns.js';
import { flushConntrack } from './conntrack.js';
import { firewallError } from './firewall-error.js';
import { LIBNFTABLES_SONAME, loadLibnftables } from './libnftables.js';
import { LibnftablesTransport, NftExecTransport } from './nft-transport.js';
import type { NftRequest, NftResult, NftTransport } from './nft-transport.js';
import { isBerthTable, parseTableList, tableComment } from './nft-ownership.js';
import type { NftTableRef } from './nft-ownership.js';

/** How NftablesFirewall reaches the kernel: 'auto' tries libnftables and falls back to exec'ing nft. */
export type NftTransportChoice = 'auto' | 'libnftables' | 'nft-exec';

/** Options for NftablesFirewall. */
export interface NftablesFirewallOptions {
  /** Receives warnings (the libnftables fallback). */
  readonly log?: (message: string) => void;
  /** Default 'auto'. */
  readonly transport?: NftTransportChoice;
  /** libnftables to load; default `libnftables.so.1`. */
  readonly libraryPath?: string;
  /** How many namespaces keep a cached libnftables context (default 8). */
  readonly maxCachedContexts?: number;
}

interface OwnedTable extends NftTableRef {
  readonly listing: string;
}

function chooseTransport(options: NftablesFirewallOptions): NftTransport {
  const choice = options.transport ?? 'auto';
  if (choice === 'nft-exec') return new NftExecTransport();
  const libraryPath = options.libraryPath ?? LIBNFTABLES_SONAME;
  try {
    const library = loadLibnftables(libraryPath);
    const maxContexts = options.maxCachedContexts;
    return new LibnftablesTransport(library, maxContexts === undefined ? {} : { maxContexts });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (choice === 'libnftables') {
      throw new BerthError('KERNEL_UNSUPPORTED', `load ${libraryPath}: ${reason}`, {
        operation: 'load libnftables',
        object: libraryPath,
        cause: error,
      });
    }
    options.log?.(`berth: cannot load ${libraryPath} (${reason}); falling back to exec'ing nft`);
    return new NftExecTransport();
  }
}

/**
 * The nftables backend. Each batch is one nft script run as one transaction (one
 * nft_run_cmd_from_buffer call, or one `nft -f -`), so it lands whole or not at all.
 * berth's state is the tables whose names start with "berth"; nothing else is read or changed.
 */
export class NftablesFirewall implements FirewallBackend {
  readonly name = 'nftables';
  readonly transport: 'libnftables' | 'nft-exec';
  readonly #nft: NftTransport;

  /** Loads libnftables now (or falls back), so the transport is fixed for the backend's life. */
  constructor(options: NftablesFirewallOptions = {}) {
    this.#nft = chooseTransport(options);
    this.transport = this.#nft.name;
  }

  /** Applies `batch.script` as one nft transaction inside `netns`. */
  async apply(netns: Netns, batch: FirewallBatch): Promise<void> {
    if (batch.backend !== 'nftables') {
      throw new BerthError('INVALID_ARGUMENT', `nftables backend got a ${batch.backend} batch`, {
        operation: 'apply firewall batch',
        object: netns.path,
      });
    }
    await this.#run('apply firewall batch', { netnsPath: netns.path, script: batch.script });
  }

  /** `nft list table` text of every berth table in `netns`, tables in kernel order. */
  async listOwn(netns: Netns): Promise<string> {
    const tables = await this.#ownedTables(netns);
    return tables.map((table) => table.listing.trimEnd() + '\n').join('');
  }

  /** Deletes every berth table in `netns` in one transaction; a no-op when there is none. */
  async removeOwn(netns: Netns): Promise<void> {
    const tables = await this.#ownedTables(netns);
    if (tables.length === 0) return;
    const script = tables.map((table) => `delete table ${table.family} ${table.name}\n`).join('');
    await this.#run('remove berth firewall state', { netnsPath: netns.path, script });
  }

  /** Deletes conntrack entries of a protocol/port (see FirewallBackend.flushConntrack). */
  flushConntrack(netns: Netns, flow: { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly port: number }): Promise<void> {
    return flushConntrack(netns, flow);
  }

  /** Frees the cached libnftables contexts. */
  close(): void {
    this.#nft.close();
  }

  async #ownedTables(netns: Netns): Promise<readonly OwnedTable[]> {
    const operation = 'list berth firewall state';
    const list = await this.#run(operation, { netnsPath: netns.path, script: 'list tables', json: true });
    let tables: readonly NftTableRef[];
    try {
      tables = parseTableList(list.output);
    } catch (error) {
      throw firewallError({ operation, netnsPath: netns.path, detail: String(error), cause: error });
    }
    const owned: OwnedTable[] = [];
    for (const table of tables.filter((candidate) => isBerthTable(candidate, undefined))) {
      const script = `list table ${table.family} ${table.name}`;
      const { output } = await this.#run(operation, { netnsPath: netns.path, script });
      if (isBerthTable(table, tableComment(output))) owned.push({ ...table, listing: output });
    }
    return owned;
  }

  async #run(operation: string, request: NftRequest): Promise<NftResult> {
    const result = await this.#nft.run(request);
    if (!result.ok) throw firewallError({ operation, netnsPath: request.netnsPath, detail: result.error });
    return result;
  }
}
