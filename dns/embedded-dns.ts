import type { Netns, SocketOps } from '../src/kernel/index.js';
import type { QueryHandler, Upstream } from './dns-types.js';
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

export interface EmbeddedDnsOptions {
  readonly sockets: SocketOps;
  readonly handler: QueryHandler;
  readonly ttl?: number;
  /** 53 unless set (tests). */
  readonly port?: number;
  readonly onError?: (error: Error, sandboxId: string) => void;
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
        onQuery: (query, transport) => fastLocalAnswer(query, { names, ttl, transport }) ?? this.#options.handler.handle(query, { transport, names, upstreams: served.upstreams, ttl }),
        onError: (error) => this.#options.onError?.(error, sandbox.id),
      }),
    };
    this.#served.set(sandbox.id, served);
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
