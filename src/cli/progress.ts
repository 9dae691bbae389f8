/** Where progress goes: stderr when it is a terminal (never into pipes or test output). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

/**
 * Shows that a long request is still running: after `delayMs` (1 s) a line
 * "… <what> (Ns)" is written and refreshed every second on a terminal, and erased when the
 * request ends. Long operations (`system reset`, `network prune` of many networks, an overlay
 * join waiting for etcd) otherwise look hung. Returns the function that stops it.
 */
export function showProgress(what: string, options: { readonly stream?: ProgressStream; readonly delayMs?: number } = {}): () => void {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return () => undefined;
  const started = Date.now();
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    shown = true;
    stream.write(`\r… ${what} (${Math.round((Date.now() - started) / 1000)}s)\x1b[K`);
    timer = setTimeout(tick, 1000);
    timer.unref();
  };
  timer = setTimeout(tick, options.delayMs ?? 1000);
  timer.unref();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    if (shown) stream.write('\r\x1b[K');
  };
}
