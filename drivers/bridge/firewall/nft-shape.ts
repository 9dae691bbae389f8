/**
 * The shape of berth's nftables table: how many rules each chain holds and how many elements
 * each set or map holds. Comparing the shape a script builds with the shape the kernel lists
 * tells whether someone flushed, deleted or rewrote part of the table, without keeping a copy
 * of the kernel's listing after every change (listing a table with 10 000 published ports on
 * each change would make publishing O(n)). The admins' chain `user` is not berth's to judge.
 */
import { NFT_TABLE } from './nft-ruleset.js';

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

/** The shape a script of `add`/`flush`/`delete` commands on table `inet berth` leaves behind, from an empty table. */
export function scriptShape(script: string): NftShape {
  const rules = new Map<string, number>();
  const elements = new Map<string, Set<string>>();
  const prefix = `${NFT_TABLE} `;
  for (const line of script.split('\n')) {
    const match = /^(add|flush|delete) (table|chain|rule|set|map|element) (.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, verb = '', kind = '', rest = ''] = match;
    if (!rest.startsWith(prefix)) continue;
    const name = rest.slice(prefix.length).split(' ')[0] ?? '';
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

/** The shape of `table inet berth` in an nft listing (`list table` text); undefined when the table is absent. */
export function listingShape(listing: string): NftShape | undefined {
  const lines = listing.split('\n');
  const start = lines.findIndex((line) => line.trim() === `table ${NFT_TABLE} {`);
  if (start === -1) return undefined;
  const chains = new Map<string, number>();
  const sets = new Map<string, number>();
  let current: { readonly kind: 'chain' | 'set'; readonly name: string } | undefined;
  let elementText: string | undefined;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (raw === '}') break;
    if (elementText !== undefined) {
      elementText += line;
    } else if (current === undefined) {
      const open = /^(chain|set|map) (\S+) \{$/.exec(line);
      if (open?.[2] !== undefined) {
        current = { kind: open[1] === 'chain' ? 'chain' : 'set', name: open[2] };
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
  return { chains, sets };
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
