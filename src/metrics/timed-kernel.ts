import type { FirewallBackend, Kernel } from '../kernel/index.js';

/** Receives one kernel operation: its kind ("links.create", "firewall.apply"), seconds, and whether it threw. */
export type KernelObserver = (operation: { readonly kind: string; readonly seconds: number; readonly ok: boolean }) => void;

/** Per level, which properties are groups of operations to time (everything else passes through untouched). */
const KERNEL_GROUPS = new Set(['netns']);
const NETNS_KERNEL_GROUPS = new Set(['links', 'addresses', 'routes', 'neighbours', 'fdb', 'sysctls']);

interface Level {
  readonly prefix: string;
  readonly groups: ReadonlySet<string>;
  readonly observe: KernelObserver;
}

const proxies = new WeakMap<object, object>();

/**
 * A Proxy that times every method call of `target` (promises when they settle) and wraps the
 * groups of `level`. Methods run on the original object, so private fields and caches work as
 * before; non-function properties (handles such as `netns.host`) are the originals.
 */
function timed<T extends object>(target: T, level: Level): T {
  const cached = proxies.get(target);
  if (cached !== undefined) return cached as T;
  const proxy = new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key);
      if (typeof key !== 'string') return value;
      if (typeof value === 'object' && value !== null && level.groups.has(key)) {
        return timed(value, { prefix: `${key}.`, groups: new Set(), observe: level.observe });
      }
      if (typeof value !== 'function') return value;
      const kind = `${level.prefix}${key}`;
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const done = (ok: boolean): void => level.observe({ kind, seconds: (performance.now() - started) / 1000, ok });
        let result: unknown;
        try {
          result = Reflect.apply(value, object, args);
        } catch (error) {
          done(false);
          throw error;
        }
        // `in` only looks up a cached handle: not timed, its operations are.
        if (kind === 'in' && typeof result === 'object' && result !== null) {
          return timed(result, { prefix: '', groups: NETNS_KERNEL_GROUPS, observe: level.observe });
        }
        if (result instanceof Promise) {
          return result.then((settled: unknown) => {
            done(true);
            return settled;
          }, (error: unknown) => {
            done(false);
            throw error;
          });
        }
        done(true);
        return result;
      };
    },
  });
  proxies.set(target, proxy);
  return proxy;
}

/**
 * The kernel with every namespace, link, address, route, neighbour, FDB and sysctl operation
 * timed (`kernel.in(netns).links.create` is kind `links.create`); sockets are not (the DNS hot
 * path). Only used when metrics are on.
 */
export function timedKernel<K extends Kernel>(kernel: K, observe: KernelObserver): K {
  return timed(kernel, { prefix: '', groups: KERNEL_GROUPS, observe });
}

/** The firewall backend with `apply`, `listOwn`, `removeOwn` and `flushConntrack` timed as `firewall.*`. */
export function timedFirewall<F extends FirewallBackend>(firewall: F, observe: KernelObserver): F {
  return timed(firewall, { prefix: 'firewall.', groups: new Set(), observe });
}
