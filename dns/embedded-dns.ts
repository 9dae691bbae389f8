import type { Netns, SocketOps } from '../src/kernel/index.js';
import type { QueryContext, QueryHandler, Transport, Upstream } from './dns-types.js';
import { NameRegistry } from './name-registry.js';
import { fastLocalAnswer } from './fast-answer.js';
import { listenInSandbox } from './sandbox-listener.js';
import type { SandboxListener } from './sandbox-listener.js';

/** Docker's TTL for embedded DNS answers. */
export const DEFAULT_DNS_TTL = 600;

/** One sandbox the resolver serves. */
export interface ServedSandbox {
  readonly id: string;
  readonly netns: Netns;
  /** In order; at most 3 are used. Empty: names that are not local get SERVFAIL. */
  readonly upstreams: readonly Upstream[];
}

interface Served {
  readonly listener: SandboxListener;
  upstreams: readonly Upstream[];
}

/** What one answered query looked like, for metrics: `fast` is the local fast path, `full` the query handler. */
export interface DnsQueryOutcome {
  readonly transport: Transport;
  readonly path: 'fast' | 'full';
  /** The reply sent (undefined: dropped). */
  readonly response: Buffer | undefined;
  readonly seconds: number;
}

/** Called after each query is answered (berthd's metrics); must not throw. */
export type DnsObserver = (outcome: DnsQueryOutcome) => void;

export interface EmbeddedDnsOptions {
  readonly sockets: SocketOps;
  readonly handler: QueryHandler;
  readonly ttl?: number;
  /** 53 unless set (tests). */
  readonly port?: number;
  readonly onError?: (error: Error, sandboxId: string) => void;
  readonly observer?: DnsObserver;
}

/**
 * The embedded DNS server of every sandbox on a user-defined network: one listener per sandbox
 * inside its namespace, all answered from one name registry by this process's event loop.
 */
export class EmbeddedDns {
  readonly registry = new NameRegistry();
  readonly #options: EmbeddedDnsOptions;
  readonly #served = new Map<string, Served>();

  constructor(options: EmbeddedDnsOptions) {
    this.#options = options;
  }

  /** Sandboxes with an open listener. */
  get sandboxes(): number {
    return this.#served.size;
  }

  /** Opens the sandbox's listener if it has none; otherwise only updates its upstreams. */
  serve(sandbox: ServedSandbox): void {
    const existing = this.#served.get(sandbox.id);
    if (existing !== undefined) {
      existing.upstreams = sandbox.upstreams;
      return;
    }
    const names = this.registry.namesFor(sandbox.id);
    const ttl = this.#options.ttl ?? DEFAULT_DNS_TTL;
    const served: Served = {
      upstreams: sandbox.upstreams,
      listener: listenInSandbox({
        sockets: this.#options.sockets,
        netns: sandbox.netns,
        ...(this.#options.port === undefined ? {} : { port: this.#options.port }),
        onQuery: (query, transport) => this.#answer(query, { transport, names, upstreams: served.upstreams, ttl }),
        onError: (error) => this.#options.onError?.(error, sandbox.id),
      }),
    };
    this.#served.set(sandbox.id, served);
  }

  /** The fast path, else the handler; reported to the observer when there is one (the fast path stays synchronous). */
  #answer(query: Buffer, context: QueryContext): Buffer | Promise<Buffer | undefined> {
    const observer = this.#options.observer;
    const started = observer === undefined ? 0 : performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    const fast = fastLocalAnswer(query, { names: context.names, ttl: context.ttl, transport: context.transport });
    if (fast !== undefined) {
      observer?.({ transport: context.transport, path: 'fast', response: fast, seconds: elapsed() });
      return fast;
    }
    const pending = this.#options.handler.handle(query, context);
    if (observer === undefined) return pending;
    return pending.then((response) => {
      observer({ transport: context.transport, path: 'full', response, seconds: elapsed() });
      return response;
    });
  }

  /** Closes the sandbox's listener (its sockets would keep the namespace alive). Idempotent. */
  stop(sandboxId: string): void {
    this.#served.get(sandboxId)?.listener.close();
    this.#served.delete(sandboxId);
  }

  close(): void {
    for (const id of [...this.#served.keys()]) this.stop(id);
  }
}
