import avro from 'avsc';
import { loadSchemaText } from '../schemas/index.ts';
import { decodeWireFormat } from '../schemas/serde/wireFormat.ts';
import type { InvoiceEvent } from '../src/domain/invoiceEvent.ts';
import type { ValueCodec } from '../src/kafka/valueCodec.ts';
import { advantageOf, ratePerSecond, type BenchFigure } from './benchFigure.ts';

export interface DecodeStageInput {
  /** Avro records (Confluent wire format) as they sit on the district topics. */
  avro: readonly Buffer[];
  /** The same events as JSON text, what a JSON-on-the-wire pipeline would carry. */
  json: readonly Buffer[];
  /** ingest's codec: writer type cached per schema id, v1 → v2 resolver cached. */
  codec: ValueCodec<InvoiceEvent>;
  registryUrl: string;
  /** Records the no-cache registry variant decodes (each one is an HTTP round trip). */
  uncachedCap: number;
}

/**
 * Avro decode as ingest does it (the real codec, `decodeNow` per record with
 * the writer type and resolver cached per schema id, `decode` when the
 * registry must be asked first) against two naive
 * decoders of the same events: per-message `JSON.parse` of the JSON form (the
 * issue's baseline), and per-message Avro with a registry lookup and schema
 * parse for every record (no cache).
 */
export async function decodeStage(input: DecodeStageInput): Promise<BenchFigure[]> {
  const n = input.avro.length;
  let t = performance.now();
  let checksum = 0;
  for (const b of input.avro) checksum += (input.codec.decodeNow?.(b) ?? (await input.codec.decode(b))).total_amount_fen;
  const yunlianSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  let jsonChecksum = 0;
  for (const b of input.json) jsonChecksum += (JSON.parse(b.toString('utf8')) as InvoiceEvent).total_amount_fen;
  const jsonSeconds = (performance.now() - t) / 1000;
  if (checksum !== jsonChecksum) throw new Error(`decoders disagree: Avro sum ${checksum} ≠ JSON sum ${jsonChecksum}`);

  const reader = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceEventV2')) as avro.schema.AvroSchema);
  const capped = input.avro.slice(0, input.uncachedCap);
  t = performance.now();
  for (const b of capped) {
    const { schemaId, body } = decodeWireFormat(b);
    const response = await fetch(`${input.registryUrl}/schemas/ids/${schemaId}`);
    const { schema } = (await response.json()) as { schema: string };
    const writer = avro.Type.forSchema(JSON.parse(schema) as avro.schema.AvroSchema);
    reader.fromBuffer(body, reader.createResolver(writer));
  }
  const uncachedSeconds = (performance.now() - t) / 1000;

  const yunlian = ratePerSecond(n, yunlianSeconds);
  const naiveJson = ratePerSecond(n, jsonSeconds);
  const naiveUncached = ratePerSecond(capped.length, uncachedSeconds);
  return [
    {
      id: 'stage.decode',
      label: 'decode (events/s)',
      unit: 'events/s',
      yunlian,
      naive: naiveJson,
      advantage: advantageOf(yunlian, naiveJson, 'higher'),
      input: { events: n, avro_bytes_per_event: Math.round(input.avro.reduce((s, b) => s + b.length, 0) / n), json_bytes_per_event: Math.round(input.json.reduce((s, b) => s + b.length, 0) / n) },
      extrapolated: { yunlian: false, naive: false },
      notes: 'yunlian: ingest codec (avsc, writer type + v1→v2 resolver cached per schema id), decoded without an await once the id is known. naive: JSON.parse per message of the JSON form of the same events.',
    },
    {
      id: 'stage.decode_uncached',
      label: 'decode vs no-cache registry',
      unit: 'events/s',
      yunlian,
      naive: naiveUncached,
      advantage: advantageOf(yunlian, naiveUncached, 'higher'),
      input: { events: n, naive_events: capped.length },
      extrapolated: { yunlian: false, naive: true, how: `naive rate measured on the first ${capped.length} events` },
      notes: 'naive: per-message registry GET /schemas/ids/{id} + schema parse + resolver, i.e. Avro without the schema cache.',
    },
  ];
}
