export type { Forwarder, LocalAnswer, LocalNames, LocalRecord, QueryContext, QueryHandler, Transport, Upstream } from './dns-types.js';
export { DEFAULT_DNS_TTL, EmbeddedDns } from './embedded-dns.js';
export type { DnsObserver, DnsQueryOutcome, EmbeddedDnsOptions, ServedSandbox } from './embedded-dns.js';
export { NameRegistry, addressOfPtrName } from './name-registry.js';
export type { DnsEndpoint } from './name-registry.js';
export { EMBEDDED_DNS_IP, listenInSandbox } from './sandbox-listener.js';
export { createForwarder } from './forwarder.js';
export { createQueryHandler } from './query-handler.js';
