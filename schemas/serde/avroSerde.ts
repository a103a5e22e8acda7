/**
 * Avro values in the Confluent wire format, with the writer schema looked up
 * in a Schema Registry by the id each record carries.
 *
 * - The parsed writer Type is cached per schema id (and concurrent misses share
 *   one request), so decoding a batch asks the registry at most once per id.
 * - An id the registry does not know is remembered for `unknownIdTtlMs`, so a
 *   burst of poison records does not become a burst of registry requests.
 * - With a reader schema, records written with another (compatible) schema are
 *   resolved into the reader's shape (avsc `createResolver`), the resolver
 *   cached per (reader, writer id).
 *
 * Errors: PoisonRecordError for records that can never decode
 * (WIRE_FORMAT_*, SCHEMA_ID_NOT_FOUND, SCHEMA_UNUSABLE, SCHEMA_RESOLUTION_FAILED,
 * AVRO_DECODE_FAILED, AVRO_ENCODE_FAILED); InfrastructureError when the
 * registry is unavailable (retry, never skip); ConfigError for bad usage.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { ConfigError, PoisonRecordError, YunlianError } from '../../src/runtime/errors.ts';
import { SchemaRegistryClient, type BasicAuth } from './schemaRegistryClient.ts';
import { decodeWireFormat, encodeWireFormat } from './wireFormat.ts';

export interface AvroSerdeOptions {
  /** Registry base URL; may carry `user:password@` for basic auth. */
  registryUrl: string;
  auth?: BasicAuth;
  timeoutMs?: number;
  /** How long an unknown schema id is answered from memory. Default 30 s. */
  unknownIdTtlMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface DecodedRecord<T = unknown> {
  /** The writer's schema id, from the record's header. */
  schemaId: number;
  value: T;
}

/** A schema as JSON text or as the parsed JSON object of an `.avsc` file. */
export type AvroSchemaInput = string | object;

type Resolver = ReturnType<Type['createResolver']>;
/** `same` when reader and writer are equal: decode with the reader directly (see mtth/avsc#362). */
type Resolution = Resolver | 'same';

export class AvroSerde {
  private readonly client: SchemaRegistryClient;
  private readonly unknownIdTtlMs: number;
  private readonly now: () => number;
  private readonly writerTypes = new Map<number, Promise<Type>>();
  /** The writer types fetched (or registered) so far: a schema id never changes its schema, so these stay. */
  private readonly knownWriterTypes = new Map<number, Type>();
  private readonly unknownIds = new Map<number, { until: number; error: PoisonRecordError }>();
  private readonly readersByText = new Map<string, Type>();
  private readonly readersByObject = new WeakMap<object, Type>();
  private readonly resolutions = new WeakMap<Type, Map<number, Resolution>>();

  constructor(opts: AvroSerdeOptions) {
    this.client = new SchemaRegistryClient({ url: opts.registryUrl, auth: opts.auth, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.unknownIdTtlMs = opts.unknownIdTtlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** The registry URL without credentials, safe to log. */
  get registryUrl(): string {
    return this.client.baseUrl;
  }

  /**
   * Registers `schema` under `subject` (e.g. `yunlian.invoices.qingpu-value`)
   * and returns its id. Throws ConfigError SCHEMA_INVALID before any request
   * when the schema does not parse, SCHEMA_INCOMPATIBLE on 409.
   */
  async register(subject: string, schema: AvroSchemaInput): Promise<number> {
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const type = parseSchemaOrConfigError(text);
    const id = await this.client.register(subject, text);
    if (!this.writerTypes.has(id)) {
      this.writerTypes.set(id, Promise.resolve(type));
      this.knownWriterTypes.set(id, type);
    }
    return id;
  }

  /** Frames `value` with `schemaId`. Throws PoisonRecordError AVRO_ENCODE_FAILED when the value does not fit the schema. */
  async encode(schemaId: number, value: unknown): Promise<Buffer> {
    let type: Type;
    try {
      type = await this.writerType(schemaId);
    } catch (error) {
      // On the producing side an unknown id is our own misconfiguration, not a bad record.
      if (error instanceof PoisonRecordError && error.code === 'SCHEMA_ID_NOT_FOUND') {
        throw new ConfigError(error.message, { code: 'SCHEMA_ID_NOT_FOUND', context: error.context });
      }
      throw error;
    }
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch (error) {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
      // The avsc message embeds the whole value; name only the offending paths.
      throw new PoisonRecordError(`value does not match schema ${schemaId} at ${paths.join(', ') || 'its root'}`, {
        code: 'AVRO_ENCODE_FAILED',
        context: { schemaId, invalidPaths: paths },
        cause: error,
      });
    }
    return encodeWireFormat(schemaId, body);
  }

  /**
   * Decodes one framed record, into `readerSchema`'s shape when given.
   * Only the first record of each schema id reaches the registry.
   */
  async decode<T = unknown>(buf: Buffer, readerSchema?: AvroSchemaInput): Promise<DecodedRecord<T>> {
    const { schemaId, body } = decodeWireFormat(buf);
    return this.decodeWith<T>(await this.writerType(schemaId), schemaId, body, readerSchema);
  }

  /**
   * decode without waiting, when the record's writer schema is known already (every record after the first of
   * its schema id): undefined when the registry must be asked first, then call decode. Throws what decode
   * rejects with. The pipelines decode every record this way first: awaiting decode costs each record a few
   * promises and microtask turns even when nothing is fetched (docs/performance.md, "Session 19").
   */
  decodeKnown<T = unknown>(buf: Buffer, readerSchema?: AvroSchemaInput): DecodedRecord<T> | undefined {
    const { schemaId, body } = decodeWireFormat(buf);
    const writer = this.knownWriterTypes.get(schemaId);
    return writer === undefined ? undefined : this.decodeWith<T>(writer, schemaId, body, readerSchema);
  }

  private decodeWith<T>(writer: Type, schemaId: number, body: Buffer, readerSchema: AvroSchemaInput | undefined): DecodedRecord<T> {
    if (readerSchema === undefined) return { schemaId, value: decodeBody(writer, body, undefined, schemaId) as T };
    const reader = this.readerType(readerSchema);
    const resolution = this.resolution(reader, writer, schemaId);
    return { schemaId, value: decodeBody(reader, body, resolution === 'same' ? undefined : resolution, schemaId) as T };
  }

  /** The parsed writer schema of an id, fetched once. */
  private writerType(schemaId: number): Promise<Type> {
    const cached = this.writerTypes.get(schemaId);
    if (cached) return cached;
    const unknown = this.unknownIds.get(schemaId);
    if (unknown) {
      if (unknown.until > this.now()) return Promise.reject(unknown.error);
      this.unknownIds.delete(schemaId);
    }
    const pending = this.fetchWriterType(schemaId);
    this.writerTypes.set(schemaId, pending);
    pending.then((type) => this.knownWriterTypes.set(schemaId, type), () => undefined);
    pending.catch((error: unknown) => {
      // Only successes stay cached: a registry outage must be retried, an unknown id re-asked after the TTL.
      this.writerTypes.delete(schemaId);
      if (error instanceof PoisonRecordError) this.unknownIds.set(schemaId, { until: this.now() + this.unknownIdTtlMs, error });
    });
    return pending;
  }

  private async fetchWriterType(schemaId: number): Promise<Type> {
    const registered = await this.client.schemaById(schemaId);
    if (registered.schemaType !== undefined && registered.schemaType !== 'AVRO') {
      throw new PoisonRecordError(`schema id ${schemaId} is a ${registered.schemaType} schema, not Avro`, { code: 'SCHEMA_UNUSABLE', context: { schemaId } });
    }
    try {
      return avro.Type.forSchema(JSON.parse(registered.schema) as avro.schema.AvroSchema);
    } catch (error) {
      throw new PoisonRecordError(`schema id ${schemaId} does not parse as Avro: ${(error as Error).message}`, {
        code: 'SCHEMA_UNUSABLE',
        context: { schemaId },
        cause: error,
      });
    }
  }

  private readerType(schema: AvroSchemaInput): Type {
    if (typeof schema === 'string') {
      let type = this.readersByText.get(schema);
      if (!type) {
        type = parseSchemaOrConfigError(schema);
        this.readersByText.set(schema, type);
      }
      return type;
    }
    let type = this.readersByObject.get(schema);
    if (!type) {
      type = parseSchemaOrConfigError(JSON.stringify(schema));
      this.readersByObject.set(schema, type);
    }
    return type;
  }

  private resolution(reader: Type, writer: Type, schemaId: number): Resolution {
    let byId = this.resolutions.get(reader);
    if (!byId) {
      byId = new Map();
      this.resolutions.set(reader, byId);
    }
    let resolution = byId.get(schemaId);
    if (resolution === undefined) {
      try {
        resolution = reader.equals(writer) ? 'same' : reader.createResolver(writer);
      } catch (error) {
        throw new PoisonRecordError(`records of schema id ${schemaId} cannot be read as ${reader.name ?? reader.typeName}: ${(error as Error).message}`, {
          code: 'SCHEMA_RESOLUTION_FAILED',
          context: { schemaId },
          cause: error,
        });
      }
      byId.set(schemaId, resolution);
    }
    return resolution;
  }
}

function decodeBody(type: Type, body: Buffer, resolver: Resolver | undefined, schemaId: number): unknown {
  try {
    // fromBuffer rejects truncated bodies and trailing bytes; long values beyond 2^53 throw (precision loss).
    return type.fromBuffer(body, resolver);
  } catch (error) {
    if (error instanceof YunlianError) throw error;
    throw new PoisonRecordError(`Avro body does not decode with schema ${schemaId}: ${(error as Error).message}`, {
      code: 'AVRO_DECODE_FAILED',
      context: { schemaId, bodyBytes: body.length },
      cause: error,
    });
  }
}

function parseSchemaOrConfigError(text: string): Type {
  try {
    return avro.Type.forSchema(JSON.parse(text) as avro.schema.AvroSchema);
  } catch (error) {
    throw new ConfigError(`not a valid Avro schema: ${(error as Error).message}`, { code: 'SCHEMA_INVALID' });
  }
}
