/** A file's owner and mode, as `berth doctor` needs them. */
export interface FileFacts {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly socket: boolean;
}

/**
 * Everything `berth doctor` reads from the machine, read-only. Files under /proc/net and
 * /proc/sys/net, and what `run` executes, are seen from the caller's network namespace, so
 * running the doctor inside a lab namespace checks the lab, not the host.
 */
export interface HostProbe {
  /** The file's text (`.gz` files decompressed), undefined when it cannot be read. */
  readText(path: string): string | undefined;
  exists(path: string): boolean;
  stat(path: string): FileFacts | undefined;
  /** Runs a read-only command; undefined when the program is not installed. */
  run(command: string, args: readonly string[]): Promise<{ readonly code: number; readonly stdout: string } | undefined>;
  /** Whether a TCP connection to host:port opens within the time (etcd reachability). */
  connect(target: { readonly host: string; readonly port: number; readonly timeoutMs: number }): Promise<boolean>;
  /** Command names (/proc/PID/comm) of the running processes. */
  processNames(): readonly string[];
  /** `uname -r`. */
  readonly kernelRelease: string;
  /** The caller's uid and supplementary groups. */
  readonly user: { readonly uid: number; readonly groups: readonly number[] };
}
