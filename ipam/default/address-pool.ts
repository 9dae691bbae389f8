import { BerthError } from '../../src/errors/index.js';
import { familyBits, formatAddress } from './cidr.js';
import type { Prefix } from './cidr.js';

/** Why an address of a pool can never be handed out. */
export type ReservedReason = 'network' | 'broadcast';

/**
 * The addresses handed out of one pool: a sparse set (a /8 or a /64 never becomes a bitmap) and
 * a cursor after the last dynamic allocation, as Docker's serial mode keeps `Bitmap.curr`
 * (moby daemon/libnetwork/bitmap/sequence.go). Finding the next free address steps over
 * allocated and reserved ones only, so it costs O(allocated) steps at worst.
 */
export class AddressPool {
  readonly prefix: Prefix;
  /** Where dynamic (and non-gateway static) addresses come from: the ip-range, or the whole pool. */
  readonly range: Prefix;
  readonly #used = new Set<bigint>();
  /** The next address to try (Docker's `curr`); may lie past `range.end`, then the search wraps. */
  #next: bigint;

  constructor(options: { readonly prefix: Prefix; readonly range: Prefix }) {
    this.prefix = options.prefix;
    this.range = options.range;
    this.#next = options.range.start;
  }

  /**
   * The network address (IPv4 and IPv6: the subnet-router anycast) and the IPv4 broadcast are
   * pre-reserved, except on point-to-point prefixes (/31, /32, /127, /128) where every address is a host.
   */
  reservedReason(value: bigint): ReservedReason | undefined {
    if (this.prefix.length >= familyBits(this.prefix.family) - 1) return undefined;
    if (value === this.prefix.start) return 'network';
    if (this.prefix.family === 4 && value === this.prefix.end) return 'broadcast';
    return undefined;
  }

  /** True when `value` is allocated. */
  has(value: bigint): boolean {
    return this.#used.has(value);
  }

  /** Number of allocated addresses. */
  get size(): number {
    return this.#used.size;
  }

  /** Reserves a specific address; the caller has checked that it lies in the pool. */
  allocate(value: bigint): bigint {
    const address = formatAddress(this.prefix.family, value);
    const reason = this.reservedReason(value);
    if (reason !== undefined) {
      throw new BerthError(
        'ADDRESS_IN_USE',
        `Address already in use: ${address} is the ${reason} address of ${this.prefix.text}`,
        {
          object: address,
          operation: 'request address',
        },
      );
    }
    if (this.#used.has(value)) {
      throw new BerthError(
        'ADDRESS_IN_USE',
        `Address already in use: ${address} in pool ${this.prefix.text}`,
        { object: address, operation: 'request address' },
      );
    }
    this.#used.add(value);
    return value;
  }

  /** The gateway: the first usable address of the whole pool (even outside the ip-range); if taken, the next free one. */
  allocateGateway(): bigint {
    const first =
      this.reservedReason(this.prefix.start) === undefined ? this.prefix.start : this.prefix.start + 1n;
    if (!this.#used.has(first)) return this.allocate(first);
    return this.allocateNext();
  }

  /** The next free address of the range at or after the cursor, wrapping around; moves the cursor past it. */
  allocateNext(): bigint {
    const count = this.range.end - this.range.start + 1n;
    let candidate = this.#next > this.range.end ? this.range.start : this.#next;
    for (let step = 0n; step < count; step += 1n) {
      if (!this.#used.has(candidate) && this.reservedReason(candidate) === undefined) {
        this.#next = candidate + 1n;
        return this.allocate(candidate);
      }
      candidate = candidate >= this.range.end ? this.range.start : candidate + 1n;
    }
    const where =
      this.range.text === this.prefix.text
        ? `pool ${this.prefix.text}`
        : `ip-range ${this.range.text} of pool ${this.prefix.text}`;
    throw new BerthError('NO_ADDRESS_AVAILABLE', `no available addresses on this pool: ${where} is full`, {
      object: this.prefix.text,
      operation: 'request address',
    });
  }

  /** Frees an address; a free one stays free. */
  release(value: bigint): void {
    this.#used.delete(value);
  }
}
