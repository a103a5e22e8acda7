import avro from 'avsc';
import type { Type } from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadSchemaText } from '../../schemas/index.ts';
import {
  canRead,
  checkCompatibility,
  findIncompatibilities,
  isCompatibilityLevel,
} from '../../schemas/registry/avroCompatibility.ts';

const parse = (schema: unknown): Type => avro.Type.forSchema(schema as avro.schema.AvroSchema);

/** A record named Invoice with the given fields. */
const invoice = (fields: unknown[], extra: Record<string, unknown> = {}): Type =>
  parse({ type: 'record', name: 'Invoice', namespace: 'yunlian.test', fields, ...extra });

const kinds = (reader: Type, writer: Type) => findIncompatibilities(reader, writer).map((i) => `${i.kind} ${i.path}`);

describe('Avro schema resolution: records', () => {
  const v1 = invoice([{ name: 'invoice_no', type: 'string' }]);

  it('lets a new schema with an added optional field read the old one (BACKWARD)', () => {
    const v2 = invoice([
      { name: 'invoice_no', type: 'string' },
      { name: 'source_system', type: ['null', 'string'], default: null },
    ]);
    expect(findIncompatibilities(v2, v1)).toEqual([]);
  });

  it('rejects a new schema whose added field has no default', () => {
    const v2 = invoice([
      { name: 'invoice_no', type: 'string' },
      { name: 'total_fen', type: 'long' },
    ]);
    expect(kinds(v2, v1)).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE /fields/total_fen']);
  });

  it('lets a reader drop a field the writer still sends, but an old reader then misses it (FORWARD)', () => {
    const wide = invoice([
      { name: 'invoice_no', type: 'string' },
      { name: 'district', type: 'string' },
    ]);
    expect(canRead(v1, wide)).toBe(true);
    expect(kinds(wide, v1)).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE /fields/district']);
  });

  it('matches a renamed field through its aliases', () => {
    const renamed = invoice([{ name: 'invoice_number', type: 'string', aliases: ['invoice_no'] }]);
    expect(canRead(renamed, v1)).toBe(true);
    const renamedWithoutAlias = invoice([{ name: 'invoice_number', type: 'string' }]);
    expect(canRead(renamedWithoutAlias, v1)).toBe(false);
  });

  it('requires record names to match unless the reader aliases the writer', () => {
    const other = parse({ type: 'record', name: 'Bill', namespace: 'yunlian.test', fields: [{ name: 'invoice_no', type: 'string' }] });
    expect(kinds(other, v1)).toEqual(['NAME_MISMATCH /name']);
    const aliased = parse({ type: 'record', name: 'Bill', aliases: ['yunlian.test.Invoice'], fields: [{ name: 'invoice_no', type: 'string' }] });
    expect(canRead(aliased, v1)).toBe(true);
  });

  it('compares records by unqualified name, as Confluent does', () => {
    const moved = parse({ type: 'record', name: 'Invoice', namespace: 'other.ns', fields: [{ name: 'invoice_no', type: 'string' }] });
    expect(canRead(moved, v1)).toBe(true);
  });

  it('reports incompatible changes inside nested records and arrays with their path', () => {
    const line = (amountType: string) => ({
      type: 'array',
      items: { type: 'record', name: 'Line', fields: [{ name: 'amount_fen', type: amountType }] },
    });
    const writer = invoice([{ name: 'lines', type: line('long') }]);
    const reader = invoice([{ name: 'lines', type: line('int') }]);
    expect(kinds(reader, writer)).toEqual(['TYPE_MISMATCH /fields/lines/items/fields/amount_fen']);
    expect(canRead(writer, reader)).toBe(true);
  });

  it('checks every use of a named type that is referenced by name', () => {
    const party = (fields: unknown[]) => [
      { name: 'seller', type: { type: 'record', name: 'Party', fields } },
      { name: 'buyer', type: 'Party' },
    ];
    const writer = invoice(party([{ name: 'tax_id', type: 'string' }]));
    const reader = invoice(party([{ name: 'tax_id', type: 'string' }, { name: 'name', type: 'string' }]));
    expect(kinds(reader, writer)).toEqual([
      'READER_FIELD_MISSING_DEFAULT_VALUE /fields/seller/fields/name',
      'READER_FIELD_MISSING_DEFAULT_VALUE /fields/buyer/fields/name',
    ]);
  });

  it('still reports a named type that an earlier union probe already compared', () => {
    const partyV1 = { type: 'record', name: 'Party', fields: [{ name: 'tax_id', type: 'string' }] };
    const partyV2 = { type: 'record', name: 'Party', fields: [{ name: 'tax_id', type: 'string' }, { name: 'name', type: 'string' }] };
    const writer = invoice([
      { name: 'agent', type: partyV1 },
      { name: 'buyer', type: 'Party' },
    ]);
    const reader = invoice([
      { name: 'agent', type: ['null', partyV2] },
      { name: 'buyer', type: 'Party' },
    ]);
    expect(kinds(reader, writer)).toEqual(['MISSING_UNION_BRANCH /fields/agent', 'READER_FIELD_MISSING_DEFAULT_VALUE /fields/buyer/fields/name']);
  });

  it('terminates on recursive schemas and still finds their incompatibilities', () => {
    const node = (valueType: string) =>
      parse({ type: 'record', name: 'Node', fields: [{ name: 'value', type: valueType }, { name: 'next', type: ['null', 'Node'], default: null }] });
    expect(canRead(node('long'), node('int'))).toBe(true);
    expect(kinds(node('int'), node('long'))).toEqual(['TYPE_MISMATCH /fields/value']);
  });
});

describe('Avro schema resolution: primitives and promotions', () => {
  const cases: [writer: string, reader: string, readable: boolean][] = [
    ['int', 'long', true],
    ['int', 'float', true],
    ['int', 'double', true],
    ['long', 'float', true],
    ['long', 'double', true],
    ['float', 'double', true],
    ['string', 'bytes', true],
    ['bytes', 'string', true],
    ['long', 'int', false],
    ['double', 'float', false],
    ['double', 'long', false],
    ['string', 'int', false],
    ['boolean', 'int', false],
    ['null', 'string', false],
  ];
  it.each(cases)('writer %s read as %s: compatible = %s', (writer, reader, readable) => {
    expect(canRead(parse(reader), parse(writer))).toBe(readable);
  });

  it('resolves logical types on their underlying type', () => {
    expect(canRead(parse({ type: 'long', logicalType: 'timestamp-millis' }), parse('long'))).toBe(true);
    expect(canRead(parse('int'), parse({ type: 'long', logicalType: 'timestamp-millis' }))).toBe(false);
  });

  it('requires fixed types to keep name and size', () => {
    const fixed = (size: number, name = 'Digest') => parse({ type: 'fixed', name, size });
    expect(canRead(fixed(16), fixed(16))).toBe(true);
    expect(kinds(fixed(32), fixed(16))).toEqual(['FIXED_SIZE_MISMATCH /size']);
    expect(kinds(fixed(16, 'Other'), fixed(16))).toEqual(['NAME_MISMATCH /name']);
  });

  it('checks map values', () => {
    expect(canRead(parse({ type: 'map', values: 'long' }), parse({ type: 'map', values: 'int' }))).toBe(true);
    expect(kinds(parse({ type: 'map', values: 'int' }), parse({ type: 'map', values: 'long' }))).toEqual(['TYPE_MISMATCH /values']);
    expect(kinds(parse({ type: 'array', items: 'int' }), parse({ type: 'map', values: 'int' }))).toEqual(['TYPE_MISMATCH ']);
  });
});

describe('Avro schema resolution: enums', () => {
  const enumOf = (symbols: string[], extra: Record<string, unknown> = {}) => parse({ type: 'enum', name: 'EventType', symbols, ...extra });

  it('lets a reader with an added symbol read the old writer, but not the other way round', () => {
    const v1 = enumOf(['ISSUED', 'VOIDED']);
    const v2 = enumOf(['ISSUED', 'VOIDED', 'RED_LETTER']);
    expect(canRead(v2, v1)).toBe(true);
    expect(kinds(v1, v2)).toEqual(['MISSING_ENUM_SYMBOLS /symbols']);
    expect(findIncompatibilities(v1, v2)[0]?.message).toContain('RED_LETTER');
  });

  it('rejects a reader that removed a symbol the writer may still send', () => {
    expect(canRead(enumOf(['ISSUED']), enumOf(['ISSUED', 'VOIDED']))).toBe(false);
  });

  it('accepts removed symbols when the reader declares an enum default', () => {
    expect(canRead(enumOf(['UNKNOWN', 'ISSUED'], { default: 'UNKNOWN' }), enumOf(['ISSUED', 'VOIDED']))).toBe(true);
  });
});

describe('Avro schema resolution: unions', () => {
  it('lets a nullable reader read a non-null writer', () => {
    expect(canRead(parse(['null', 'string']), parse('string'))).toBe(true);
  });

  it('rejects a non-null reader for a writer that may write null', () => {
    expect(kinds(parse('string'), parse(['null', 'string']))).toEqual(['TYPE_MISMATCH /0']);
  });

  it('promotes through union branches', () => {
    expect(canRead(parse(['null', 'long']), parse(['null', 'int']))).toBe(true);
    expect(kinds(parse(['null', 'int']), parse(['null', 'long']))).toEqual(['MISSING_UNION_BRANCH /1']);
  });

  it('rejects a reader union with no branch for the writer type', () => {
    expect(kinds(parse(['null', 'int']), parse('string'))).toEqual(['MISSING_UNION_BRANCH ']);
  });
});

describe('compatibility levels against a subject history', () => {
  const base = [{ name: 'invoice_no', type: 'string' }];
  const v1 = invoice(base);
  const v2 = invoice([...base, { name: 'district', type: 'string', default: 'qingpu' }]);
  const history = [
    { version: 1, type: v1 },
    { version: 2, type: v2 },
  ];
  // v3 makes `district` required: it reads v2 (which always writes it) but not v1 (which never does).
  const v3 = invoice([...base, { name: 'district', type: 'string' }]);

  it('BACKWARD checks the new schema against the latest version only', () => {
    expect(checkCompatibility(v3, history, 'BACKWARD')).toEqual([]);
  });

  it('BACKWARD_TRANSITIVE checks against every earlier version', () => {
    const violations = checkCompatibility(v3, history, 'BACKWARD_TRANSITIVE');
    expect(violations.map((v) => [v.direction, v.version, v.kind])).toEqual([['BACKWARD', 1, 'READER_FIELD_MISSING_DEFAULT_VALUE']]);
  });

  it('FORWARD checks that the latest version can read the new schema', () => {
    const dropsInvoiceNo = invoice([{ name: 'district', type: 'string', default: 'qingpu' }]);
    expect(checkCompatibility(dropsInvoiceNo, history, 'BACKWARD')).toEqual([]);
    expect(checkCompatibility(dropsInvoiceNo, history, 'FORWARD').map((v) => [v.direction, v.version, v.path])).toEqual([
      ['FORWARD', 2, '/fields/invoice_no'],
    ]);
  });

  it('FULL requires both directions', () => {
    const dropsInvoiceNo = invoice([{ name: 'district', type: 'string', default: 'qingpu' }]);
    expect(checkCompatibility(dropsInvoiceNo, history, 'FULL').map((v) => v.direction)).toEqual(['FORWARD']);
    const requiresNewField = invoice([...base, { name: 'district', type: 'string', default: 'qingpu' }, { name: 'kind', type: 'string' }]);
    expect(checkCompatibility(requiresNewField, history, 'FULL').map((v) => v.direction)).toEqual(['BACKWARD']);
  });

  it('NONE accepts anything and a first version has nothing to be checked against', () => {
    expect(checkCompatibility(parse('string'), history, 'NONE')).toEqual([]);
    expect(checkCompatibility(parse('string'), [], 'FULL_TRANSITIVE')).toEqual([]);
  });

  it('knows the Confluent level names', () => {
    expect(isCompatibilityLevel('BACKWARD_TRANSITIVE')).toBe(true);
    expect(isCompatibilityLevel('backward')).toBe(false);
    expect(isCompatibilityLevel('SIDEWAYS')).toBe(false);
  });
});

describe('the project schemas', () => {
  it('InvoiceEvent v2 is fully compatible with v1', () => {
    const v1 = parse(JSON.parse(loadSchemaText('InvoiceEvent')));
    const v2 = parse(JSON.parse(loadSchemaText('InvoiceEventV2')));
    expect(checkCompatibility(v2, [{ version: 1, type: v1 }], 'FULL_TRANSITIVE')).toEqual([]);
  });

  it('InvoiceEvent cannot stand in for InvoiceLeg', () => {
    const event = parse(JSON.parse(loadSchemaText('InvoiceEvent')));
    const leg = parse(JSON.parse(loadSchemaText('InvoiceLeg')));
    expect(findIncompatibilities(leg, event).map((i) => i.kind)).toEqual(['NAME_MISMATCH']);
  });
});
