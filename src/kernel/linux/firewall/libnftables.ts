import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';

/** NFT_CTX_DEFAULT from <nftables/libnftables.h>. */
export const NFT_CTX_DEFAULT = 0;
/** NFT_CTX_OUTPUT_JSON: print listings as JSON. */
export const NFT_CTX_OUTPUT_JSON = 1 << 4;

/** An opaque `struct nft_ctx *` as koffi hands it back. */
export interface NftCtx {
  readonly __brand: 'nft_ctx';
}

/** The libnftables calls berth makes; each is synchronous and runs on the calling thread. */
export interface Libnftables {
  /** `nft_ctx_new`: note that its netlink socket is bound to the caller's netns here. */
  readonly ctxNew: (flags: number) => NftCtx | null;
  readonly ctxBufferOutput: (ctx: NftCtx) => number;
  readonly ctxBufferError: (ctx: NftCtx) => number;
  readonly ctxOutputSetFlags: (ctx: NftCtx, flags: number) => void;
  /** One buffer = one transaction: every command in it is committed, or none. */
  readonly runCmdFromBuffer: (ctx: NftCtx, buffer: string) => number;
  /** Returns the buffered output and rewinds the buffer. */
  readonly ctxGetOutputBuffer: (ctx: NftCtx) => string | null;
  /** Returns the buffered errors and rewinds the buffer. */
  readonly ctxGetErrorBuffer: (ctx: NftCtx) => string | null;
  readonly ctxFree: (ctx: NftCtx) => void;
}

/** The default soname; Debian 12 ships it with nftables 1.0.6. */
export const LIBNFTABLES_SONAME = 'libnftables.so.1';

// Contexts travel as `void *` (koffi externals), so no named koffi type has to be registered (twice loading would clash).
// koffi types every foreign function as `any`; going through `unknown` pins each one to its C prototype.
function bind<F>(library: LibraryHandle, definition: string): F {
  const fn: unknown = library.func(definition);
  return fn as F;
}

/** Loads libnftables and binds the calls berth uses; throws when the library is missing. */
export function loadLibnftables(path: string = LIBNFTABLES_SONAME): Libnftables {
  const library = koffi.load(path);
  return {
    ctxNew: bind(library, 'void *nft_ctx_new(uint32_t flags)'),
    ctxBufferOutput: bind(library, 'int nft_ctx_buffer_output(void *ctx)'),
    ctxBufferError: bind(library, 'int nft_ctx_buffer_error(void *ctx)'),
    ctxOutputSetFlags: bind(library, 'void nft_ctx_output_set_flags(void *ctx, unsigned int flags)'),
    runCmdFromBuffer: bind(library, 'int nft_run_cmd_from_buffer(void *ctx, const char *buf)'),
    ctxGetOutputBuffer: bind(library, 'const char *nft_ctx_get_output_buffer(void *ctx)'),
    ctxGetErrorBuffer: bind(library, 'const char *nft_ctx_get_error_buffer(void *ctx)'),
    ctxFree: bind(library, 'void nft_ctx_free(void *ctx)'),
  };
}
