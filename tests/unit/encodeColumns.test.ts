import { describe, expect, it } from 'vitest';
import { concatEncodedRows, encodeColumns, encodeRows, tableColumns } from '../../sinks/clickhouse/insertRows.ts';

type Row = { id: number; name: string; note?: string; fen: number };
const columns = tableColumns<Row>({ id: true, name: true, note: true, fen: true });

describe('rows encoded as arrays of their columns', () => {
  it('writes each row as a JSON array in column order, whatever the key order of the object, a missing field as null', () => {
    const encoded = encodeColumns(columns, [{ fen: -5, name: '嘉善', id: 1 }, { id: 2, name: 'a"b', note: 'x', fen: 2 ** 52 }]);
    expect(encoded.count).toBe(2);
    expect(encoded.columns).toEqual(['id', 'name', 'note', 'fen']);
    expect(encoded.bytes.toString('utf8')).toBe(`[1,"嘉善",null,-5]\n[2,"a\\"b","x",${2 ** 52}]\n`);
  });

  it('concatenates batches of the same columns, and refuses to mix them with other columns or with row objects', () => {
    const joined = concatEncodedRows([encodeColumns(columns, [{ id: 1, name: 'a', fen: 1 }]), encodeColumns(columns, []), encodeColumns(columns, [{ id: 2, name: 'b', fen: 2 }])]);
    expect(joined.count).toBe(2);
    expect(joined.columns).toBe(columns);
    expect(joined.bytes.toString('utf8').split('\n')).toHaveLength(3);
    const other = tableColumns<{ id: number }>({ id: true });
    expect(() => concatEncodedRows([encodeColumns(columns, [{ id: 1, name: 'a', fen: 1 }]), encodeColumns(other, [{ id: 2 }])])).toThrow(RangeError);
    expect(() => concatEncodedRows([encodeRows([{ id: 1 }]), encodeColumns(other, [{ id: 2 }])])).toThrow(RangeError);
    expect(concatEncodedRows([encodeRows([{ id: 1 }]), encodeRows([{ id: 2 }])]).columns).toBeUndefined();
  });

  it('reads keys that are not identifiers as keys, never as code, and keeps each column list to its own reader', () => {
    const odd = ['a"); throw new Error("x', '__proto__', 'b'] as const;
    const row = { 'a"); throw new Error("x': 1, b: 2 };
    expect(encodeColumns(odd as unknown as readonly (keyof typeof row & string)[], [row]).bytes.toString('utf8')).toBe('[1,{},2]\n');
    const reversed = tableColumns<Row>({ fen: true, note: true, name: true, id: true });
    expect(encodeColumns(reversed, [{ id: 1, name: 'a', fen: 3 }]).bytes.toString('utf8')).toBe('[3,null,"a",1]\n');
    expect(encodeColumns(columns, [{ id: 1, name: 'a', fen: 3 }]).bytes.toString('utf8')).toBe('[1,"a",null,3]\n');
  });

  it('refuses a column name that could not stand in an INSERT statement', () => {
    expect(() => tableColumns<{ 'id) FORMAT x': number }>({ 'id) FORMAT x': true })).toThrow(RangeError);
  });
});
