/**
 * The shape of berth's nftables table: how many rules each chain holds and how many elements
 * each set or map holds. Comparing the shape a script builds with the shape the kernel lists
 * tells whether someone flushed, deleted or rewrote part of the table, without keeping a copy
 * of the kernel's listing after every change (listing a table with 10 000 published ports on
 * each change would make publishing O(n)). The admins' chain `user` is not berth's to judge.
 */
import { NFT_TABLE } from './nft-ruleset.js';
import { NFT_SPOOF_TABLE } from './nft-spoof.js';

/** berth's tables and how their chains and sets are named in a shape (`inet berth` ones bare). */
const TABLES = [
  { table: NFT_TABLE, prefix: '' },
  { table: NFT_SPOOF_TABLE, prefix: 'bridge/' },
] as const;

/** Rules per chain and elements per set/map. */
export interface NftShape {
  readonly chains: ReadonlyMap<string, number>;
  readonly sets: ReadonlyMap<string, number>;
}

/** The chain berth creates empty for admins and never judges. */
const USER_CHAIN = 'user';

/** Splits `a, "b,c", d` on commas outside quotes. */
function splitElements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** A map element's key (`k : v` → `k`); a set element as is. */
function elementKey(element: string): string {
  const at = element.indexOf(' : ');
  return at === -1 ? element : element.slice(0, at);
}

/** The shape a script of `add`/`flush`/`delete` commands on berth's tables leaves behind, from empty tables. */
export function scriptShape(script: string): NftShape {
  const rules = new Map<string, number>();
  const elements = new Map<string, Set<string>>();
  for (const line of script.split('\n')) {
    const match = /^(add|flush|delete) (table|chain|rule|set|map|element) (.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, verb = '', kind = '', rest = ''] = match;
    const owner = TABLES.find(({ table }) => rest.startsWith(`${table} `));
    if (owner === undefined) continue;
    const name = `${owner.prefix}${rest.slice(owner.table.length + 1).split(' ')[0] ?? ''}`;
    if (kind === 'chain' || kind === 'rule') {
      const count = rules.get(name) ?? 0;
      if (kind === 'rule' && verb === 'add') rules.set(name, count + 1);
      else if (verb === 'flush') rules.set(name, 0);
      else if (verb === 'delete') rules.delete(name);
      else rules.set(name, count);
    } else if (kind === 'set' || kind === 'map') {
      if (verb === 'delete') elements.delete(name);
      else if (verb === 'flush' || !elements.has(name)) elements.set(name, new Set());
    } else if (kind === 'element') {
      const body = /\{(.*)\}\s*$/.exec(rest)?.[1] ?? '';
      const set = elements.get(name) ?? new Set<string>();
      elements.set(name, set);
      for (const element of splitElements(body)) {
        if (verb === 'add') set.add(elementKey(element));
        else set.delete(elementKey(element));
      }
    }
  }
  return { chains: rules, sets: new Map([...elements].map(([name, set]) => [name, set.size])) };
}

/** The shape of berth's tables in an nft listing (`list table` text); undefined when `inet berth` is absent. */
export function listingShape(listing: string): NftShape | undefined {
  const lines = listing.split('\n');
  if (!lines.some((line) => line.trim() === `table ${NFT_TABLE} {`)) return undefined;
  const chains = new Map<string, number>();
  const sets = new Map<string, number>();
  for (const { table, prefix } of TABLES) {
    const start = lines.findIndex((line) => line.trim() === `table ${table} {`);
    if (start !== -1) readTable({ lines: lines.slice(start + 1), prefix }, { chains, sets });
  }
  return { chains, sets };
}

/** Counts one table's rules per chain and elements per set, up to its closing brace. */
function readTable(input: { readonly lines: readonly string[]; readonly prefix: string }, into: { readonly chains: Map<string, number>; readonly sets: Map<string, number> }): void {
  const { chains, sets } = into;
  let current: { readonly kind: 'chain' | 'set'; readonly name: string } | undefined;
  let elementText: string | undefined;
  for (const raw of input.lines) {
    const line = raw.trim();
    if (raw === '}') break;
    if (elementText !== undefined) {
      elementText += line;
    } else if (current === undefined) {
      const open = /^(chain|set|map) (\S+) \{$/.exec(line);
      if (open?.[2] !== undefined) {
        current = { kind: open[1] === 'chain' ? 'chain' : 'set', name: `${input.prefix}${open[2]}` };
        if (current.kind === 'chain') chains.set(current.name, 0);
        else sets.set(current.name, 0);
      }
      continue;
    } else if (line === '}') {
      current = undefined;
      continue;
    } else if (current.kind === 'chain') {
      if (line !== '' && !/^(type|policy|comment|devices) /.test(line)) chains.set(current.name, (chains.get(current.name) ?? 0) + 1);
      continue;
    } else if (line.startsWith('elements = {')) {
      elementText = line.slice('elements = {'.length);
    } else {
      continue;
    }
    if (elementText.endsWith('}') && current !== undefined) {
      sets.set(current.name, splitElements(elementText.slice(0, -1)).length);
      elementText = undefined;
    }
  }
}

/** What differs between the shape berth wants and the one listed; empty when intact. */
export function shapeDrift(init: { readonly desired: NftShape; readonly listed: NftShape | undefined }): readonly string[] {
  const { desired, listed } = init;
  if (listed === undefined) return [`table ${NFT_TABLE} is missing`];
  const drift: string[] = [];
  for (const [chain, count] of desired.chains) {
    const have = listed.chains.get(chain);
    if (have === undefined) drift.push(`chain ${chain} is missing`);
    else if (chain !== USER_CHAIN && have !== count) drift.push(`chain ${chain} has ${String(have)} rules, not ${String(count)}`);
  }
  for (const [set, count] of desired.sets) {
    const have = listed.sets.get(set);
    if (have === undefined) drift.push(`set ${set} is missing`);
    else if (have !== count) drift.push(`set ${set} has ${String(have)} elements, not ${String(count)}`);
  }
  return drift;
}
