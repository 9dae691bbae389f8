import type { Logger } from '../controller/index.js';
import { monitorLinkRemovals } from '../kernel/linux/index.js';

/** How often namespaces are checked anyway: an unmounted namespace sends no notification. */
const INTERVAL_MS = 5000;
/** Link removals come in bursts (a network removed, a veth pair); one check covers a burst. */
const DEBOUNCE_MS = 100;

/**
 * Runs the controller's kernel-drift repair (src/controller/kernel-drift.ts) shortly after any
 * link is deleted in berthd's namespace, and every few seconds; never two at once. Returns a
 * function that stops it.
 */
export function watchKernelDrift(init: { readonly repair: () => Promise<unknown>; readonly netnsPath: string; readonly log: Logger }): () => void {
  let running = false;
  let again = false;
  let soon: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    if (running) { again = true; return; }
    running = true;
    try {
      await init.repair();
    } catch (error) {
      init.log.error({ error: error instanceof Error ? error.message : String(error) }, 'kernel drift check failed');
    } finally {
      running = false;
      if (again) { again = false; schedule(); }
    }
  };
  const schedule = (): void => {
    if (soon !== undefined) return;
    soon = setTimeout(() => { soon = undefined; void run(); }, DEBOUNCE_MS);
    soon.unref();
  };
  const timer = setInterval(schedule, INTERVAL_MS);
  timer.unref();
  let stopMonitor: (() => void) | undefined;
  try {
    stopMonitor = monitorLinkRemovals({ netnsPath: init.netnsPath, onRemoved: schedule, onLost: schedule });
  } catch (error) {
    init.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'cannot watch link removals; relying on the periodic check');
  }
  return () => {
    clearInterval(timer);
    if (soon !== undefined) clearTimeout(soon);
    stopMonitor?.();
  };
}
