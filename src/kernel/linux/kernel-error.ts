import { getSystemErrorName } from 'node:util';
import { BerthError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';

/** Which berth code an errno becomes, per kind of object (EEXIST on a link is LINK_EXISTS...). */
export interface ErrnoCodes {
  readonly ENOENT?: ErrorCode;
  readonly ENODEV?: ErrorCode;
  readonly EEXIST?: ErrorCode;
  readonly ESRCH?: ErrorCode;
  readonly EADDRNOTAVAIL?: ErrorCode;
}

/** What was being done, to what, and how errnos map for that kind of object. */
export interface KernelFailure {
  readonly operation: string;
  readonly object: string;
  readonly codes?: ErrnoCodes;
  /** Said when the kernel answers "not supported", e.g. which module is missing. */
  readonly unsupportedHint?: string;
}

/** errno name of a numeric errno, e.g. 17 → "EEXIST". */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return `errno ${errno}`;
  }
}

/** Pulls the errno name out of what the netlink package or Node threw. */
export function errnoOf(error: unknown): string | undefined {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    const match = /Request rejected: (E[A-Z0-9]+|\d+)/.exec(error.message);
    if (match?.[1] !== undefined) return /^\d+$/.test(match[1]) ? errnoName(Number(match[1])) : match[1];
  }
  return undefined;
}

const GENERIC: Readonly<Record<string, ErrorCode>> = {
  EPERM: 'PERMISSION_DENIED',
  EACCES: 'PERMISSION_DENIED',
  EOPNOTSUPP: 'KERNEL_UNSUPPORTED',
  ENOTSUP: 'KERNEL_UNSUPPORTED',
  EAFNOSUPPORT: 'KERNEL_UNSUPPORTED',
  EPROTONOSUPPORT: 'KERNEL_UNSUPPORTED',
};

/** Turns a failure into a BerthError naming the operation, the object and the errno. */
export function kernelError(error: unknown, failure: KernelFailure): BerthError {
  if (error instanceof BerthError) return error;
  const errno = errnoOf(error);
  const specific = errno === undefined ? undefined : (failure.codes as Record<string, ErrorCode> | undefined)?.[errno];
  const code: ErrorCode = specific ?? (errno === undefined ? undefined : GENERIC[errno]) ?? 'KERNEL_FAILURE';
  const reason = errno === undefined ? (error instanceof Error ? error.message : String(error)) : errno;
  const hint = code === 'KERNEL_UNSUPPORTED' ? ` (${failure.unsupportedHint ?? 'not supported by this kernel'})` : '';
  return new BerthError(code, `${failure.operation} ${failure.object}: ${reason}${hint}`, {
    operation: failure.operation,
    object: failure.object,
    ...(errno === undefined ? {} : { errno }),
    cause: error,
  });
}

/** Runs `action`, turning any failure into a BerthError described by `failure`. */
export async function kernelCall<T>(failure: KernelFailure, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw kernelError(error, failure);
  }
}

/** How often a dump is asked again when another request's reply split it (see kernelDump). */
const DUMP_ATTEMPTS = 5;

/**
 * Runs a netlink dump (links, addresses, routes, neighbours). The `netlink` package groups a
 * multipart reply until NLMSG_DONE, but ends the group early when a reply to another request on
 * the same socket arrives in between (concurrent API calls share the namespace's socket), and the
 * dump then fails with "Multipart message not terminated properly". A dump changes nothing, so
 * it is simply asked again; other errors are not retried.
 */
export async function kernelDump<T>(failure: KernelFailure, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      const split = error instanceof Error && /Multipart message not terminated/i.test(error.message);
      if (!split || attempt >= DUMP_ATTEMPTS) throw kernelError(error, failure);
    }
  }
}
