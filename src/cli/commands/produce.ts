import { existsSync } from 'node:fs';
import type { Command } from '../command.ts';
import { UsageError, intFlag, parseFlags } from '../command.ts';
import { isDistrict, DISTRICTS, invoiceTopic } from '../../domain/district.ts';
import { loadConfig } from '../../runtime/config.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { createLogger } from '../../runtime/log.ts';
import { createKafka } from '../../kafka/kafkaClient.ts';
import { createRecordProducer } from '../../kafka/recordProducer.ts';
import { createLagGate } from '../../kafka/lagGate.ts';
import { GROUPS } from '../../kafka/topics.ts';
import { topicCodec } from '../../kafka/topicCodecs.ts';
import { AvroSerde } from '../../../schemas/serde/avroSerde.ts';
import { fileLines, produceInvoiceLines } from '../../produce/produceInvoices.ts';
import type { InvoiceEvent } from '../../domain/invoiceEvent.ts';

const USAGE = `
Usage: yunlian produce --district <qingpu|jiashan|wujiang> --file <events.jsonl> [options]

Publishes InvoiceEvent JSON lines (DESIGN.md section 3) to yunlian.invoices.<district>,
Avro-encoded in the Confluent wire format, keyed by invoice_no. Malformed lines are
reported on stderr with their line number and skipped. Finds a running 'yunlian up'
through YUNLIAN_DATA_DIR, or uses KAFKA_BROKERS and SCHEMA_REGISTRY_URL.

Options:
  --district <d>      district feed (required)
  --file <path>       JSON lines file, '-' for stdin (required)
  --batch <n>         records per produce request (default 1000)
  --max-lag <n>       wait while the ingest group lags more than n records on any
                      partition (default 5000; 0 disables backpressure)
  --strict            exit 1 when any line was skipped
  -h, --help          this help
`;

export const produceCommand: Command = {
  name: 'produce',
  summary: 'publish InvoiceEvent JSON lines to a district topic',
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      district: { type: 'string' },
      file: { type: 'string' },
      batch: { type: 'string' },
      'max-lag': { type: 'string' },
      strict: { type: 'boolean' },
    });
    if (!values.district || !isDistrict(values.district)) throw new UsageError(`--district must be one of ${DISTRICTS.join(', ')}`);
    if (!values.file) throw new UsageError('--file is required');
    if (values.file !== '-' && !existsSync(values.file)) throw new UsageError(`no such file: ${values.file}`);
    const district = values.district;
    const batchSize = intFlag(values.batch, 'batch', 1000, 1);
    const maxLag = intFlag(values['max-lag'], 'max-lag', 5000, 0);
    const config = loadConfig();
    if (!config.kafka) throw new ConfigError(`no Kafka: set KAFKA_BROKERS, or start 'yunlian up' (data dir ${config.dataDir})`);
    if (!config.schemaRegistryUrl) throw new ConfigError('no Schema Registry: set SCHEMA_REGISTRY_URL, or start \'yunlian up\'');
    const logger = createLogger('produce');
    const kafka = createKafka({ config: config.kafka, logger });
    const producer = await createRecordProducer(kafka);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const codec = await topicCodec<InvoiceEvent>(new AvroSerde({ registryUrl: config.schemaRegistryUrl }), invoiceTopic(district), 'InvoiceEvent');
      const lagGate = maxLag > 0 ? createLagGate({ admin, groupId: GROUPS.ingest, topic: invoiceTopic(district), maxLagPerPartition: maxLag, logger }) : undefined;
      let lastPrint = 0;
      const report = await produceInvoiceLines(values.file === '-' ? readStdinLines() : fileLines(values.file), {
        producer,
        codec,
        district,
        batchSize,
        lagGate,
        onSkipped: (s) => process.stderr.write(`line ${s.line}: ${s.reason}: ${s.detail}\n`),
        onProgress: (p) => {
          if (!process.stderr.isTTY && Date.now() - lastPrint < 5000) return;
          if (Date.now() - lastPrint < 1000) return;
          lastPrint = Date.now();
          process.stderr.write(`… ${p.lines} lines read, ${p.produced} produced, ${p.skipped} skipped\n`);
        },
      });
      const rate = report.seconds > 0 ? Math.round(report.produced / report.seconds) : report.produced;
      process.stdout.write(`produced ${report.produced} events to ${invoiceTopic(district)} from ${report.lines} lines in ${report.seconds.toFixed(1)} s (${rate}/s); skipped ${report.skipped}\n`);
      return values.strict && report.skipped > 0 ? 1 : 0;
    } finally {
      await producer.close();
      await admin.disconnect();
    }
  },
};

async function* readStdinLines(): AsyncIterable<string> {
  const { createInterface } = await import('node:readline');
  yield* createInterface({ input: process.stdin, crlfDelay: Infinity });
}
