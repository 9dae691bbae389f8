/**
 * The one error type berth throws. `code` is a stable, documented identifier (docs/errors.md);
 * callers branch on it, never on message text.
 */
export type ErrorCode =
  // kernel layer
  | 'LINK_NOT_FOUND'
  | 'LINK_EXISTS'
  | 'ADDRESS_EXISTS'
  | 'ADDRESS_NOT_FOUND'
  | 'ROUTE_EXISTS'
  | 'ROUTE_NOT_FOUND'
  | 'NEIGHBOUR_NOT_FOUND'
  | 'NETNS_NOT_FOUND'
  | 'NETNS_EXISTS'
  | 'SYSCTL_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'KERNEL_UNSUPPORTED'
  | 'FIREWALL_FAILURE'
  | 'KERNEL_FAILURE'
  // input
  | 'INVALID_ARGUMENT'
  | 'INVALID_OPTION'
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  // controller objects
  | 'NETWORK_NOT_FOUND'
  | 'NETWORK_EXISTS'
  | 'NETWORK_AMBIGUOUS'
  | 'NETWORK_HAS_ENDPOINTS'
  | 'PREDEFINED_NETWORK'
  | 'ENDPOINT_NOT_FOUND'
  | 'ENDPOINT_EXISTS'
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_EXISTS'
  | 'SANDBOX_AMBIGUOUS'
  | 'DRIVER_NOT_FOUND'
  | 'PARENT_IN_USE'
  | 'IPAM_DRIVER_NOT_FOUND'
  | 'NOT_IMPLEMENTED'
  // IPAM
  | 'POOL_OVERLAP'
  | 'NO_POOL_AVAILABLE'
  | 'POOL_NOT_FOUND'
  | 'ADDRESS_IN_USE'
  | 'ADDRESS_OUT_OF_RANGE'
  | 'NO_ADDRESS_AVAILABLE'
  // store
  | 'STORE_FAILURE'
  // cluster store (etcd)
  | 'CLUSTER_CONFLICT'
  | 'CLUSTER_UNAVAILABLE'
  // teardown that finished every step but some failed
  | 'TEARDOWN_INCOMPLETE'
  | 'INTERNAL';

/** Context that names the failed operation and its object, for messages and logs. */
export interface ErrorContext {
  /** What was being done: "create link", "set sysctl", ... */
  readonly operation?: string | undefined;
  /** The object acted on: a link name, an address, a netns path, ... */
  readonly object?: string | undefined;
  /** errno name when the kernel said no (ENOENT, EEXIST, ...). */
  readonly errno?: string | undefined;
  readonly cause?: unknown;
}

export class BerthError extends Error {
  override readonly name = 'BerthError';
  readonly code: ErrorCode;
  readonly operation: string | undefined;
  readonly object: string | undefined;
  readonly errno: string | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.operation = context.operation;
    this.object = context.object;
    this.errno = context.errno;
  }
}

/** True when `error` is a BerthError with one of `codes`. */
export function hasCode(error: unknown, ...codes: readonly ErrorCode[]): error is BerthError {
  return error instanceof BerthError && codes.includes(error.code);
}

/** Turns any thrown value into a BerthError (INTERNAL unless it already is one). */
export function toBerthError(error: unknown): BerthError {
  if (error instanceof BerthError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BerthError('INTERNAL', message, { cause: error });
}
