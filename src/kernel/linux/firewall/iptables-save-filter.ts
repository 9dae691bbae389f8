/** Every iptables chain berth owns has a name starting with this (BERTH-FORWARD, BERTH-USER, ...). */
export const BERTH_CHAIN_PREFIX = 'BERTH';
/** Rules berth puts in chains it does not own carry `-m comment --comment berth...`. */
export const BERTH_RULE_COMMENT = 'berth';

/** One table of `iptables-save` output, split into chain declarations and rules. */
export interface SavedTable {
  readonly name: string;
  /** `:NAME POLICY [p:b]` lines, as printed. */
  readonly chains: readonly { readonly name: string; readonly line: string }[];
  /** `-A CHAIN ...` lines: the chain and the rest of the rule spec. */
  readonly rules: readonly { readonly chain: string; readonly spec: string }[];
}

/** Splits `iptables-save` output into tables; comments and COMMIT lines are dropped. */
export function parseIptablesSave(text: string): readonly SavedTable[] {
  const tables: { name: string; chains: SavedTable['chains'][number][]; rules: SavedTable['rules'][number][] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const current = tables[tables.length - 1];
    if (line.startsWith('*')) {
      tables.push({ name: line.slice(1), chains: [], rules: [] });
    } else if (line.startsWith(':') && current !== undefined) {
      current.chains.push({ name: line.slice(1).split(' ')[0] ?? '', line });
    } else if (line.startsWith('-A ') && current !== undefined) {
      const [, chain = '', spec = ''] = /^-A (\S+) ?(.*)$/.exec(line) ?? [];
      current.rules.push({ chain, spec });
    }
  }
  return tables;
}

function isBerthChain(name: string): boolean {
  return name.startsWith(BERTH_CHAIN_PREFIX);
}

/** True when a rule jumps/goes to a berth chain or carries berth's comment. */
export function isBerthRule(spec: string): boolean {
  const target = /(?:^|\s)-[jg] (\S+)/.exec(spec)?.[1];
  if (target !== undefined && isBerthChain(target)) return true;
  return new RegExp(`(?:^|\\s)--comment "?${BERTH_RULE_COMMENT}`).test(spec);
}

/** `iptables-save` output reduced to berth's chains and rules; tables without any are left out. */
export function filterOwn(text: string): string {
  const out: string[] = [];
  for (const table of parseIptablesSave(text)) {
    const chains = table.chains.filter((chain) => isBerthChain(chain.name));
    const rules = table.rules.filter((rule) => isBerthChain(rule.chain) || isBerthRule(rule.spec));
    if (chains.length === 0 && rules.length === 0) continue;
    out.push(`*${table.name}`);
    // Counters change with traffic; drop them so two listings of the same state compare equal.
    out.push(...chains.map((chain) => chain.line.replace(/ \[\d+:\d+\]$/, '')));
    out.push(...rules.map((rule) => `-A ${rule.chain} ${rule.spec}`.trimEnd()));
    out.push('COMMIT');
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/**
 * An `iptables-restore --noflush` script that removes berth's state, or undefined when there is
 * none: first the berth rules in other chains (jumps to BERTH chains, commented rules), then flush
 * every BERTH chain (which drops jumps between them), then delete them. One COMMIT per table.
 */
export function removalScript(text: string): string | undefined {
  const out: string[] = [];
  for (const table of parseIptablesSave(text)) {
    const chains = table.chains.filter((chain) => isBerthChain(chain.name)).map((chain) => chain.name);
    const foreignRules = table.rules.filter((rule) => !isBerthChain(rule.chain) && isBerthRule(rule.spec));
    if (chains.length === 0 && foreignRules.length === 0) continue;
    out.push(`*${table.name}`);
    out.push(...foreignRules.map((rule) => `-D ${rule.chain} ${rule.spec}`.trimEnd()));
    out.push(...chains.map((chain) => `-F ${chain}`));
    out.push(...chains.map((chain) => `-X ${chain}`));
    out.push('COMMIT');
  }
  return out.length === 0 ? undefined : out.join('\n') + '\n';
}
