/**
 * Contracts between the parts of the embedded DNS server (dns/):
 *
 *   listener (UDP/TCP sockets at 127.0.0.11:53 inside one sandbox's namespace)
 *     → QueryHandler (decode, answer from LocalNames, else Forwarder, encode/truncate)
 *       → LocalNames (pure lookup, scoped to the asking sandbox's networks)
 *       → Forwarder (upstream servers, UDP with TCP fallback, timeout, in-flight limit)
 */
import type { Netns } from '../src/kernel/index.js';

/** One local record the resolver answers with. Names have no trailing dot and are lower case. */
export type LocalRecord =
  | { readonly type: 'A'; readonly name: string; readonly address: string }
  | { readonly type: 'AAAA'; readonly name: string; readonly address: string }
  | { readonly type: 'PTR'; readonly name: string; readonly target: string };

/**
 * The answer for a question from the local names:
 * - `records`: the name is ours (possibly with no records of the asked type: NOERROR, empty answer);
 * - `not-ours`: forward it.
 */
export type LocalAnswer = { readonly kind: 'records'; readonly records: readonly LocalRecord[] } | { readonly kind: 'not-ours' };

/** Names visible to one sandbox (the networks it is attached to). Pure, no I/O. */
export interface LocalNames {
  /** `name` as asked (any case, trailing dot or not); `type` a dns-packet type name ('A', 'AAAA', 'PTR', 'MX', ...). */
  lookup(question: { readonly name: string; readonly type: string }): LocalAnswer;
}

/** An upstream server. `netns` set: query it from that namespace (it is only reachable from the sandbox). */
export interface Upstream {
  readonly ip: string;
  readonly port: number;
  readonly netns?: Netns;
}

export type Transport = 'udp' | 'tcp';

/** What a query is answered with, for one sandbox. */
export interface QueryContext {
  readonly transport: Transport;
  readonly names: LocalNames;
  /** At most 3 are used, in order. Empty: forwarding is off; names that are not local get SERVFAIL. */
  readonly upstreams: readonly Upstream[];
  /** TTL of local answers, seconds (600 like Docker). */
  readonly ttl: number;
}

/** Answers one raw DNS query. Never throws: malformed input gets FORMERR or `undefined` (drop). */
export interface QueryHandler {
  handle(query: Buffer, context: QueryContext): Promise<Buffer | undefined>;
}

/** Sends a raw query to upstreams and returns the raw response (or undefined when all failed/timed out). */
export interface Forwarder {
  forward(query: Buffer, request: { readonly transport: Transport; readonly upstreams: readonly Upstream[] }): Promise<Buffer | undefined>;
  /** Forwarded queries waiting for an answer now. */
  readonly inFlight: number;
  close(): void;
}
