import { describe, expect, test } from 'vitest';
import { isBerthTable, parseTableList, tableComment } from './nft-ownership.js';

describe('nft ownership', () => {
  test('parseTableList reads nft -j list tables', () => {
    const json = '{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "berth", "handle": 1}}, {"table": {"family": "ip", "name": "nat", "handle": 2}}]}';
    expect(parseTableList(json)).toEqual([{ family: 'inet', name: 'berth' }, { family: 'ip', name: 'nat' }]);
    expect(parseTableList('')).toEqual([]);
    expect(() => parseTableList('{"tables": 1}')).toThrow(/unexpected nft JSON/);
  });

  test('tableComment finds the table-level comment only', () => {
    expect(tableComment('table inet berth {\n\tcomment "berth"\n\n\tchain c {\n\t}\n}\n')).toBe('berth');
    expect(tableComment('table inet x {\n\tchain c {\n\t\tcomment "chain comment"\n\t}\n}\n')).toBeUndefined();
    expect(tableComment('table inet x {\n}\n')).toBeUndefined();
  });

  test('isBerthTable needs the name prefix and no foreign comment', () => {
    expect(isBerthTable({ family: 'inet', name: 'berth' }, 'berth')).toBe(true);
    expect(isBerthTable({ family: 'ip', name: 'berth-nat' }, undefined)).toBe(true);
    expect(isBerthTable({ family: 'ip', name: 'berthold' }, 'someone else')).toBe(false);
    expect(isBerthTable({ family: 'inet', name: 'filter' }, 'berth')).toBe(false);
  });
});
