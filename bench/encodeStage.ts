import avro from 'avsc';
import { loadSchemaText } from '../schemas/index.ts';
import { encodeWireFormat } from '../schemas/serde/wireFormat.ts';
import type { InvoiceLeg } from '../src/domain/invoiceLeg.ts';
import type { ValueCodec } from '../src/kafka/valueCodec.ts';
import { advantageOf, ratePerSecond, type BenchFigure } from './benchFigure.ts';

/** Best of this many passes over the legs for each side: one pass is a few tens of milliseconds, well inside GC and JIT noise. */
const PASSES = 5;

function bestSeconds(pass: () => void): number {
  let best = Infinity;
  for (let i = 0; i < PASSES; i++) {
    const t = performance.now();
    pass();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

/**
 * Avro encoding of invoice legs into the Confluent wire format, as ingest
 * does it for every leg it produces (`codec.encode`: one scratch buffer,
 * short strings written in one pass), against avsc's `toBuffer` framed by a
 * second copy (what encoding with the library as documented costs). Both
 * must give the same bytes; the figure is thrown away otherwise.
 */
export function encodeStage(legs: readonly InvoiceLeg[], codec: ValueCodec<InvoiceLeg>): BenchFigure[] {
  const type = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLeg')) as avro.schema.AvroSchema);
  const naive = (leg: InvoiceLeg) => encodeWireFormat(codec.schemaId, type.toBuffer(leg));
  let bytes = 0;
  for (const leg of legs) {
    const expected = naive(leg);
    if (!codec.encode(leg).equals(expected)) throw new Error(`leg ${leg.leg_id}: ingest's encoder and avsc's toBuffer disagree`);
    bytes += expected.length;
  }
  const yunlianSeconds = bestSeconds(() => {
    for (const leg of legs) codec.encode(leg);
  });
  const naiveSeconds = bestSeconds(() => {
    for (const leg of legs) naive(leg);
  });
  const yunlian = ratePerSecond(legs.length, yunlianSeconds);
  const naiveRate = ratePerSecond(legs.length, naiveSeconds);
  return [
    {
      id: 'stage.leg_encode',
      label: 'leg encode (legs/s)',
      unit: 'legs/s',
      yunlian,
      naive: naiveRate,
      advantage: advantageOf(yunlian, naiveRate, 'higher'),
      input: { legs: legs.length, bytes_per_leg: Math.round(bytes / Math.max(1, legs.length)), passes: PASSES },
      extrapolated: { yunlian: false, naive: false },
      notes: `yunlian: ingest's leg codec (avroWireEncoder: wire header and body in one scratch buffer, short strings in one pass). naive: avsc toBuffer + encodeWireFormat. Same bytes checked for every leg; best of ${PASSES} passes each.`,
    },
  ];
}
