import type { Forwarder } from '../../dns/index.js';

/** A Forwarder that reports each forward's result and time (berthd's metrics), delegating everything. */
export function observedForwarder(inner: Forwarder, observe: (result: { readonly answered: boolean; readonly seconds: number }) => void): Forwarder {
  return {
    async forward(query, request) {
      const started = performance.now();
      const response = await inner.forward(query, request);
      observe({ answered: response !== undefined, seconds: (performance.now() - started) / 1000 });
      return response;
    },
    get inFlight() {
      return inner.inFlight;
    },
    close: () => inner.close(),
  };
}
