import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * How long a netlink request may wait for its answer. Replies dropped by a full socket buffer are
 * not reported (netlink-overflow.ts), so a request whose answer was lost would otherwise wait for ever.
 */
export const KERNEL_ANSWER_TIMEOUT_MS = 30_000;

/** `action`, failing when it has not settled within KERNEL_ANSWER_TIMEOUT_MS. */
async function answered<T>(action: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the kernel within ${KERNEL_ANSWER_TIMEOUT_MS / 1000} s`)), KERNEL_ANSWER_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([action(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `action`, turning any failure into a BerthError described by `failure`. */
export async function kernelCall<T>(failure: KernelFailure, action: () => Promise<T>): Promise<T> {
  try {
    return await answered(action);
  } catch (error) {
    throw kernelError(error, failure);
  }
}

/** How often a dump is asked again when it was disturbed (see kernelDump), and the first pause. */
const DUMP_ATTEMPTS = 8;
const DUMP_PAUSE_MS = 2;

/**
 * Whether a dump failed only because other requests on the same socket disturbed it. The
 * `netlink` package groups a multipart reply until NLMSG_DONE, but ends the group early when a
 * reply to another request arrives in between (concurrent API calls share the namespace's
 * socket): "Multipart message not terminated properly". The kernel runs one dump per socket at
 * a time and refuses another meanwhile (EBUSY). Replies that overflow the socket's buffer are
 * dropped (ENOBUFS, see rtnl.ts).
 */
function disturbed(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as NodeJS.ErrnoException).code === 'ENOBUFS') return true;
  return /Multipart message not terminated|Request rejected: EBUSY/i.test(error.message);
}

/**
 * Runs a netlink dump (links, addresses, routes, neighbours). A dump changes nothing, so one that
 * was disturbed is simply asked again after a short, growing pause; other errors are not retried.
 * Requests are queued per socket (rtnl.ts), so concurrent API calls no longer split dumps; what
 * remains is a dump cut by a failed read (ENOBUFS) and the EBUSY of the next one while the kernel
 * finishes the cut dump.
 */
export async function kernelDump<T>(failure: KernelFailure, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await answered(action);
    } catch (error) {
      if (!disturbed(error) || attempt >= DUMP_ATTEMPTS) throw kernelError(error, failure);
      await sleep(DUMP_PAUSE_MS * 2 ** (attempt - 1));
    }
  }
}
