import avro from 'avsc';
import type { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import { avroWireEncoder } from '../../schemas/serde/avroWireEncoder.ts';
import { loadSchemaText, valueSubject, type SchemaName } from '../../schemas/index.ts';
import { PoisonRecordError } from '../runtime/errors.ts';
import type { InvoiceEvent } from '../domain/invoiceEvent.ts';
import type { DetectLeg, InvoiceLeg } from '../domain/invoiceLeg.ts';
import type { DisruptionSignal } from '../domain/signal.ts';
import type { MatchList } from '../domain/matchList.ts';
import type { District } from '../domain/district.ts';
import { DISTRICTS, invoiceTopic } from '../domain/district.ts';
import { TOPICS } from './topics.ts';
import type { ValueCodec } from './valueCodec.ts';

/**
 * Registers a topic's value schema and returns a typed codec. Encoding is
 * synchronous with the schema parsed once here; decoding resolves any
 * compatible writer schema into `reader`'s shape.
 */
export async function topicCodec<T>(serde: AvroSerde, topic: string, writer: SchemaName, reader: SchemaName = writer): Promise<ValueCodec<T>> {
  const writerText = loadSchemaText(writer);
  const readerText = loadSchemaText(reader);
  const schemaId = await serde.register(valueSubject(topic), writerText);
  const type = avro.Type.forSchema(JSON.parse(writerText) as avro.schema.AvroSchema);
  const toWire = avroWireEncoder<T>(schemaId, type);
  return {
    schemaId,
    encode(value: T): Buffer {
      try {
        return toWire(value);
      } catch (error) {
        throw new PoisonRecordError(`value does not match ${writer}: ${(error as Error).message}`, { code: 'AVRO_ENCODE_FAILED', context: { topic }, cause: error });
      }
    },
    async decode(bytes: Buffer): Promise<T> {
      return (await serde.decode<T>(bytes, readerText)).value;
    },
    decodeNow(bytes: Buffer): T | undefined {
      return serde.decodeKnown<T>(bytes, readerText)?.value;
    },
  };
}

export interface YunlianCodecs {
  /** Per district feed, since each topic has its own subject. */
  invoiceEvents: Record<District, ValueCodec<InvoiceEvent>>;
  invoiceLeg: ValueCodec<InvoiceLeg>;
  /** The same records, decoded into what detect reads (DetectLeg); nothing writes a DetectLeg, so it has no encode. */
  detectLeg: Omit<ValueCodec<DetectLeg>, 'encode'>;
  disruptionSignal: ValueCodec<DisruptionSignal>;
  matchList: ValueCodec<MatchList>;
}

/** Registers every value schema yunlian writes. Invoice events are read as the newest version (v2). */
export async function registerCodecs(serde: AvroSerde): Promise<YunlianCodecs> {
  const invoiceEvents = {} as Record<District, ValueCodec<InvoiceEvent>>;
  for (const d of DISTRICTS) invoiceEvents[d] = await topicCodec<InvoiceEvent>(serde, invoiceTopic(d), 'InvoiceEvent', 'InvoiceEventV2');
  return {
    invoiceEvents,
    invoiceLeg: await topicCodec<InvoiceLeg>(serde, TOPICS.invoiceLegs, 'InvoiceLeg'),
    detectLeg: await topicCodec<DetectLeg>(serde, TOPICS.invoiceLegs, 'InvoiceLeg', 'InvoiceLegDetect'),
    disruptionSignal: await topicCodec<DisruptionSignal>(serde, TOPICS.disruptions, 'DisruptionSignal'),
    matchList: await topicCodec<MatchList>(serde, TOPICS.matches, 'MatchList'),
  };
}
