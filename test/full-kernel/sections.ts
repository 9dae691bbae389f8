/** Splits a full-kernel probe's output into its "=== <label>" sections. */
export function sections(output: string): ReadonlyMap<string, string> {
  const result = new Map<string, string>();
  let label: string | undefined;
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    const header = /^=== (\S+)$/.exec(line);
    if (header?.[1] === undefined) {
      lines.push(line);
      continue;
    }
    if (label !== undefined) result.set(label, lines.join('\n'));
    label = header[1];
    lines = [];
  }
  if (label !== undefined) result.set(label, lines.join('\n'));
  return result;
}
