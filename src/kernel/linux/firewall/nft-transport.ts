import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withNetns } from '../netns-switch.js';
import { BerthError } from '../../../errors/index.js';
import { assertNetns } from './firewall-error.js';
import { execInNetns } from './netns-exec.js';
import { NFT_CTX_DEFAULT, NFT_CTX_OUTPUT_JSON } from './libnftables.js';
import type { Libnftables, NftCtx } from './libnftables.js';

/** One nft script to run as a single transaction inside a netns. */
export interface NftRequest {
  readonly netnsPath: string;
  readonly script: string;
  /** Print listings as JSON (`nft -j`). */
  readonly json?: boolean;
}

/** What nft printed; `ok` is false when it rejected the script (then nothing was committed). */
export interface NftResult {
  readonly ok: boolean;
  readonly output: string;
  readonly error: string;
}

/** How nft scripts reach the kernel: in-process through libnftables or by exec'ing `nft`. */
export interface NftTransport {
  readonly name: 'libnftables' | 'nft-exec';
  run(request: NftRequest): Promise<NftResult>;
  close(): void;
}

interface CachedContext {
  readonly ctx: NftCtx;
  /** Inode of the netns the context's netlink socket was opened in. */
  readonly netnsInode: bigint;
}

/** Contexts kept at most; each pins its namespace alive through its socket, so keep few. */
const DEFAULT_MAX_CONTEXTS = 8;

/**
 * libnftables in-process. In nftables 1.0.6 `nft_ctx_new` opens the netlink socket, so a context
 * belongs to the namespace it was created in (measured: a context made in the root netns writes
 * there even when the thread has since entered another). Each namespace path therefore gets its
 * own context, created inside it, and every command still runs inside the setns window because
 * nft resolves interface names through the thread's namespace. The cache is checked against the
 * namespace inode, so a path re-used by a new namespace never gets a stale context.
 */
export class LibnftablesTransport implements NftTransport {
  readonly name = 'libnftables';
  readonly #library: Libnftables;
  readonly #maxContexts: number;
  // Map order doubles as LRU order: a hit is moved to the end.
  readonly #contexts = new Map<string, CachedContext>();

  /** `maxContexts` bounds how many namespaces keep a cached context (default 8). */
  constructor(library: Libnftables, options: { readonly maxContexts?: number } = {}) {
    this.#library = library;
    this.#maxContexts = Math.max(1, options.maxContexts ?? DEFAULT_MAX_CONTEXTS);
  }

  /** Runs synchronously on this thread inside the namespace; the promise only carries the result. */
  run(request: NftRequest): Promise<NftResult> {
    try {
      return Promise.resolve(withNetns(request.netnsPath, () => this.#runHere(request)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Frees every cached context. */
  close(): void {
    for (const cached of this.#contexts.values()) this.#library.ctxFree(cached.ctx);
    this.#contexts.clear();
  }

  #runHere(request: NftRequest): NftResult {
    const library = this.#library;
    const ctx = this.#contextHere(request.netnsPath);
    library.ctxOutputSetFlags(ctx, request.json === true ? NFT_CTX_OUTPUT_JSON : 0);
    const rc = library.runCmdFromBuffer(ctx, request.script);
    // Both buffers are read every time: reading rewinds them for the next command.
    const output = library.ctxGetOutputBuffer(ctx) ?? '';
    const error = library.ctxGetErrorBuffer(ctx) ?? '';
    return { ok: rc === 0, output, error };
  }

  /** The context for the namespace this thread is in right now (called inside the setns window). */
  #contextHere(netnsPath: string): NftCtx {
    const netnsInode = statSync('/proc/thread-self/ns/net', { bigint: true }).ino;
    const cached = this.#contexts.get(netnsPath);
    this.#contexts.delete(netnsPath);
    if (cached !== undefined && cached.netnsInode === netnsInode) {
      this.#contexts.set(netnsPath, cached);
      return cached.ctx;
    }
    if (cached !== undefined) this.#library.ctxFree(cached.ctx);
    const ctx = this.#library.ctxNew(NFT_CTX_DEFAULT);
    if (ctx === null) {
      throw new BerthError('FIREWALL_FAILURE', `create nftables context in netns ${netnsPath}: nft_ctx_new failed`, {
        operation: 'create nftables context',
        object: netnsPath,
      });
    }
    this.#library.ctxBufferOutput(ctx);
    this.#library.ctxBufferError(ctx);
    this.#contexts.set(netnsPath, { ctx, netnsInode });
    this.#evict();
    return ctx;
  }

  #evict(): void {
    for (const [path, cached] of this.#contexts) {
      if (this.#contexts.size <= this.#maxContexts) return;
      this.#library.ctxFree(cached.ctx);
      this.#contexts.delete(path);
    }
  }
}

/**
 * The fallback: `nsenter --net=<path> nft [-j] -f <file>`. The script goes through a private temp
 * file, not stdin: nft opens /dev/stdin by path, which fails (ENXIO) when stdin is the socketpair
 * Node gives child processes.
 */
export class NftExecTransport implements NftTransport {
  readonly name = 'nft-exec';

  async run(request: NftRequest): Promise<NftResult> {
    assertNetns(request.netnsPath);
    const flags = request.json === true ? ['-j'] : [];
    const directory = await mkdtemp(join(tmpdir(), 'berth-nft-'));
    try {
      const file = join(directory, 'batch.nft');
      await writeFile(file, request.script, { mode: 0o600 });
      const result = await execInNetns({ netnsPath: request.netnsPath, argv: ['nft', ...flags, '-f', file] });
      return { ok: result.ok, output: result.stdout, error: result.stderr };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /** Nothing to release. */
  close(): void {}
}
