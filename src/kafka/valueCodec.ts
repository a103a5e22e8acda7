/**
 * A typed Avro codec for one topic's values (Confluent wire format). decode
 * may need a registry round-trip on an unseen schema id; it throws
 * PoisonRecordError for bytes that can never decode and InfrastructureError
 * when the registry is unreachable.
 */
export interface ValueCodec<T> {
  readonly schemaId: number;
  encode(value: T): Buffer;
  decode(bytes: Buffer): Promise<T>;
  /**
   * decode without waiting, when no registry round-trip is needed: undefined when one is (then call decode).
   * Throws what decode rejects with. Optional: a codec without it is always decoded with decode.
   */
  decodeNow?(bytes: Buffer): T | undefined;
}
