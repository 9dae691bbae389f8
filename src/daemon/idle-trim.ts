/**
 * Runs `trim` once the daemon has been idle for `idleMs` after a change: bursts of API work
 * (thousands of published ports, hundreds of sandboxes) leave garbage that V8 and malloc keep
 * resident; trimming when the burst is over returns it without slowing the burst down.
 */
export class IdleTrimmer {
  readonly #trim: () => void;
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { readonly trim: () => void; readonly idleMs?: number }) {
    this.#trim = options.trim;
    this.#idleMs = options.idleMs ?? 1000;
  }

  /** Notes work; the trim runs `idleMs` after the last call. */
  touch(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#trim();
    }, this.#idleMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
