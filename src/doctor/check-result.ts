/** How one check came out: ok, works with a caveat (warn), or something berth needs is missing (fail). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `berth doctor`. */
export interface CheckResult {
  /** Stable identifier for scripts: "kernel.vxlan", "firewall.ip_forward", ... */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

/** A check result with `fix` only when there is one (exactOptionalPropertyTypes). */
export function result(id: string, status: CheckStatus, text: { readonly detail: string; readonly fix?: string | undefined }): CheckResult {
  return text.fix === undefined || status === 'ok' ? { id, status, detail: text.detail } : { id, status, detail: text.detail, fix: text.fix };
}
