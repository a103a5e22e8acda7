/**
 * The legs detectScaling.ts and detectSteadyState.ts put through detect, and how: the 2020 scenario (seed
 * 2020, from 2 March) Avro-encoded as ingest produces it, each leg decoded as detect decodes it when it is
 * processed (so its strings are fresh, as detect's are), with a snapshot every SNAPSHOT_EVERY_LEGS legs.
 */
import avro, { type Resolver, type Type } from 'avsc';
import { loadSchemaText } from '../schemas/index.ts';
import { isoToDay, type WorkingCalendar } from '../src/calendar/workingCalendar.ts';
import type { DetectLeg } from '../src/domain/invoiceLeg.ts';
import { createScenario } from '../src/simulate/simulateScenario.ts';
import { emptyOutput, type PartitionProcessor } from '../pipelines/detect/runtimePartition.ts';
import { legsOf } from './benchLegs.ts';

export const DETECT_BENCH_FROM = '2020-03-02';
export const DETECT_BENCH_SEED = 2020;
/** About detect's rate in the one-year replay (3,679 snapshots for 19.6M legs). */
export const SNAPSHOT_EVERY_LEGS = 6_000;

/** The scenario's legs at `firms` firms, from DETECT_BENCH_FROM to `to`, Avro-encoded (with `type`) as ingest produces them. */
export function encodedScenarioLegs(firms: number, to: string, calendar: WorkingCalendar, type: Type): Buffer[] {
  const scenario = createScenario({ seed: DETECT_BENCH_SEED, firms, from: isoToDay(DETECT_BENCH_FROM), to: isoToDay(to), calendar });
  return legsOf([...scenario.arrivals()], Date.now()).map((leg) => type.toBuffer(leg));
}

const detectReader = avro.Type.forSchema(JSON.parse(loadSchemaText('InvoiceLegDetect')) as avro.schema.AvroSchema);
const resolvers = new WeakMap<Type, Resolver>();

/** A leg written with `writer`, decoded as detect decodes it: into its reader schema (DetectLeg). */
export function decodeForDetect(writer: Type, bytes: Buffer): DetectLeg {
  let resolver = resolvers.get(writer);
  if (resolver === undefined) {
    resolver = detectReader.createResolver(writer);
    resolvers.set(writer, resolver);
  }
  return detectReader.fromBuffer(bytes, resolver) as DetectLeg;
}

/**
 * Decodes legs [from, to) one by one (decodeForDetect) and processes each (its index as its offset), dropping the outputs, and
 * calls `snapshot` with the next offset after every SNAPSHOT_EVERY_LEGS-th leg (none when it is null).
 */
export function feedLegs(processor: PartitionProcessor, type: Type, legs: readonly Buffer[], from: number, to: number, snapshot: ((nextOffset: number) => void) | null): void {
  const out = emptyOutput();
  for (let i = from; i < to; i++) {
    processor.process(decodeForDetect(type, legs[i]!), out, i);
    out.signals.length = 0;
    out.late.length = 0;
    out.enterpriseDaily.length = 0;
    out.linksDaily.length = 0;
    if (snapshot !== null && i % SNAPSHOT_EVERY_LEGS === SNAPSHOT_EVERY_LEGS - 1) snapshot(i + 1);
  }
}
