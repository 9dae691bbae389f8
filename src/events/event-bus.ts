import type { BerthEvent, UnstampedEvent } from './berth-event.js';

/** Receives each event as it is published. */
export type EventListener = (event: BerthEvent) => void;

/** What readers of events need: the buffered past and the live stream. */
export interface EventSource {
  /** Buffered events with `since <= timeNano <= until` (both optional), oldest first. */
  history(range?: { readonly since?: bigint; readonly until?: bigint }): readonly BerthEvent[];
  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Nanoseconds since the epoch, from the bus's clock (for `since`/`until` relative to now). */
  now(): bigint;
}

/** What `EventBus` needs: a clock in nanoseconds and how many past events it keeps. */
export interface EventBusOptions {
  readonly clock?: () => bigint;
  /** Ring buffer size for `since` (Docker keeps 256). */
  readonly capacity?: number;
}

function wallClockNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Publishes daemon events to live subscribers and keeps the newest `capacity` in a ring
 * buffer, so `GET /events?since=` can replay them. Times never go backwards: an event is
 * stamped at least 1 ns after the previous one, so `since`/`until` are unambiguous.
 */
export class EventBus implements EventSource {
  readonly #clock: () => bigint;
  readonly #capacity: number;
  readonly #ring: BerthEvent[] = [];
  readonly #listeners = new Set<EventListener>();
  #start = 0;
  #last = 0n;

  constructor(options: EventBusOptions = {}) {
    this.#clock = options.clock ?? wallClockNano;
    this.#capacity = Math.max(1, options.capacity ?? 1024);
  }

  now(): bigint {
    return this.#clock();
  }

  /** Stamps `event`, buffers it and hands it to every subscriber (a throwing subscriber is dropped). */
  publish(event: UnstampedEvent): BerthEvent {
    const now = this.#clock();
    const timeNano = now > this.#last ? now : this.#last + 1n;
    this.#last = timeNano;
    const stamped: BerthEvent = { ...event, timeNano };
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(stamped);
    } else {
      this.#ring[this.#start] = stamped;
      this.#start = (this.#start + 1) % this.#capacity;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(stamped);
      } catch {
        this.#listeners.delete(listener);
      }
    }
    return stamped;
  }

  history(range: { readonly since?: bigint; readonly until?: bigint } = {}): readonly BerthEvent[] {
    const ordered = [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
    return ordered.filter((event) => (range.since === undefined || event.timeNano >= range.since) && (range.until === undefined || event.timeNano <= range.until));
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Live subscribers (for tests and metrics). */
  get subscribers(): number {
    return this.#listeners.size;
  }
}
