/** Every nftables table berth owns has a name starting with this. */
export const BERTH_TABLE_PREFIX = 'berth';
/** The table comment berth writes (`table inet berth { comment "berth"; }`), its second owner marker. */
export const BERTH_OWNER_COMMENT = 'berth';

/** A table as `nft -j list tables` names it. */
export interface NftTableRef {
  readonly family: string;
  readonly name: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the JSON of `nft -j list tables`; throws on anything that is not that shape. */
export function parseTableList(json: string): readonly NftTableRef[] {
  const parsed: unknown = JSON.parse(json === '' ? '{"nftables":[]}' : json);
  const items = isRecord(parsed) ? parsed['nftables'] : undefined;
  if (!Array.isArray(items)) throw new Error(`unexpected nft JSON: ${json.slice(0, 200)}`);
  const tables: NftTableRef[] = [];
  for (const item of items as readonly unknown[]) {
    const table = isRecord(item) ? item['table'] : undefined;
    if (!isRecord(table)) continue;
    const family = table['family'];
    const name = table['name'];
    if (typeof family === 'string' && typeof name === 'string') tables.push({ family, name });
  }
  return tables;
}

/**
 * The table's own comment from `nft list table` text, if any. nft 1.0.6 leaves table comments
 * out of its JSON, so the text is read: the comment is a line one tab deep, before any chain/set.
 */
export function tableComment(listing: string): string | undefined {
  for (const line of listing.split('\n')) {
    const match = /^\tcomment "((?:[^"\\]|\\.)*)"$/.exec(line);
    if (match !== null) return match[1];
    if (/^\t(chain|set|map|flowtable|counter|quota|ct|limit|secmark|synproxy) /.test(line)) return undefined;
  }
  return undefined;
}

/** A table is berth's when its name has berth's prefix and it carries no other owner's comment. */
export function isBerthTable(table: NftTableRef, comment: string | undefined): boolean {
  if (!table.name.startsWith(BERTH_TABLE_PREFIX)) return false;
  return comment === undefined || comment.startsWith(BERTH_OWNER_COMMENT);
}
