const UNIT_NANOS: Readonly<Record<string, bigint>> = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, µs: 1000n, ns: 1n };

/** "1700000000" or "1700000000.123456789" (Docker's `seconds.nanoseconds`). */
function unixNanos(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (match === null) return undefined;
  return BigInt(match[1] ?? '0') * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** A Go duration ("10m", "1h30m", "1.5s"), in nanoseconds. */
function durationNanos(text: string): bigint | undefined {
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0n;
  for (const [, amount = '0', unit = 's'] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    const [whole = '0', fraction = ''] = amount.split('.');
    const scale = UNIT_NANOS[unit] ?? 1n;
    total += BigInt(whole) * scale + (BigInt(fraction.padEnd(9, '0').slice(0, 9)) * scale) / 1_000_000_000n;
  }
  return total;
}

/**
 * Parses a `since`/`until` value into nanoseconds since the epoch: unix seconds with optional
 * fraction (what the docker CLI sends), a Go duration before `now` ("10m"), or a date
 * (RFC 3339, "2006-01-02"). Undefined when it is none of these.
 */
export function parseEventTime(text: string, now: bigint): bigint | undefined {
  const unix = unixNanos(text);
  if (unix !== undefined) return unix;
  const duration = durationNanos(text);
  if (duration !== undefined) return now - duration;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : BigInt(parsed) * 1_000_000n;
}
