import { BerthError } from '../../src/errors/index.js';
import type { Prefix } from './cidr.js';

/**
 * The addresses handed out of one pool: a sparse set (a /64 never becomes a bitmap) and a
 * cursor at the last dynamic allocation. Finding the next free address steps over allocated
 * ones only, so it costs O(allocated) at worst.
 */
export class AddressPool {
  readonly prefix: Prefix;
  readonly range: Prefix;
  readonly #used = new Set<bigint>();
  #cursor: bigint;

  constructor(prefix: Prefix, range: Prefix) {
    this.prefix = prefix;
    this.range = range;
    this.#cursor = range.start;
  }

  /** The network address (and IPv4 broadcast) are not hosts, except on /31, /32, /127, /128. */
  isReserved(value: bigint): boolean {
    const bits = this.prefix.family === 4 ? 32 : 128;
    if (this.prefix.length >= bits - 1) return false;
    return value === this.prefix.start || (this.prefix.family === 4 && value === this.prefix.end);
  }

  allocate(value: bigint): bigint {
    if (this.#used.has(value)) throw new BerthError('ADDRESS_IN_USE', 'Address already in use', { object: String(value) });
    this.#used.add(value);
    return value;
  }

  /** Gateway: the first usable address of the whole pool if free; others: the next free one after the cursor in the range. */
  allocateNext(options: { readonly gateway: boolean }): bigint {
    if (options.gateway) {
      const first = this.isReserved(this.prefix.start) ? this.prefix.start + 1n : this.prefix.start;
      if (!this.#used.has(first)) return this.allocate(first);
    }
    const size = this.range.end - this.range.start + 1n;
    let candidate = this.#cursor;
    for (let step = 0n; step < size; step += 1n) {
      candidate = candidate >= this.range.end ? this.range.start : candidate + 1n;
      if (!this.#used.has(candidate) && !this.isReserved(candidate)) {
        this.#cursor = candidate;
        return this.allocate(candidate);
      }
      if (BigInt(this.#used.size) >= size) break;
    }
    throw new BerthError('NO_ADDRESS_AVAILABLE', `no available addresses on this pool (${this.range.text})`, { object: this.range.text });
  }

  release(value: bigint): void {
    this.#used.delete(value);
  }
}
