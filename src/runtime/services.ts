import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import { AvroSerde } from '../../schemas/serde/avroSerde.ts';
import { createKafka } from '../kafka/kafkaClient.ts';
import { ensureTopics } from '../kafka/ensureTopics.ts';
import { createRecordProducer, type RecordProducer } from '../kafka/recordProducer.ts';
import { registerCodecs, type YunlianCodecs } from '../kafka/topicCodecs.ts';
import { openClickHouse } from '../../sinks/clickhouse/clickhouseClient.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { fillWorkingDays } from '../../sinks/clickhouse/workingDaysTable.ts';
import { startIngestPipeline, type IngestOptions } from '../../pipelines/ingest/ingestPipeline.ts';
import { startDetectPipeline, type DetectOptions } from '../../pipelines/detect/detectPipeline.ts';
import { startAlertsPipeline } from '../../pipelines/alerts/alertsPipeline.ts';
import { startMatchPipeline } from '../../pipelines/match/matchPipeline.ts';
import { createWorkingCalendar } from '../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../calendar/loadClosures.ts';
import type { ClickHouseConfig, KafkaConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { PipelineDeps, RunningPipeline } from './pipeline.ts';
import type { RetryOptions } from './retry.ts';
import type { PipelineName } from '../kafka/topics.ts';

/** Connected clients that pipelines share within one process. */
export interface Services {
  kafka: Kafka;
  producer: RecordProducer;
  serde: AvroSerde;
  codecs: YunlianCodecs;
  clickhouse: ClickHouseClient;
  metrics: Metrics;
  logger: Logger;
  close(): Promise<void>;
}

export interface ConnectOptions {
  kafka: KafkaConfig;
  schemaRegistryUrl: string;
  /**
   * Where ClickHouse is, or a client someone else opened and migrated (a worker
   * thread's client forwarded to the main thread's chDB): used as is.
   */
  clickhouse: ClickHouseConfig | { kind: 'connected'; client: ClickHouseClient };
  logger: Logger;
  metrics: Metrics;
}

export async function connectServices(opts: ConnectOptions): Promise<Services> {
  const { logger, metrics } = opts;
  const kafka = createKafka({
    config: opts.kafka,
    logger,
    onOffsetOutOfRange: ({ topic, partition, groupId }) => {
      metrics.offsetOutOfRange(groupId, topic, partition);
      logger.error('DATA LOSS: offset out of range, kafkajs reset the partition', { topic, partition, groupId });
    },
  });
  await ensureTopics(kafka);
  const serde = new AvroSerde({ registryUrl: opts.schemaRegistryUrl });
  const codecs = await registerCodecs(serde);
  const clickhouse = opts.clickhouse.kind === 'connected' ? opts.clickhouse.client : await openMigratedClickHouse(opts.clickhouse, metrics);
  const producer = await createRecordProducer(kafka);
  return {
    kafka,
    producer,
    serde,
    codecs,
    clickhouse,
    metrics,
    logger,
    close: async () => {
      await producer.close();
      await clickhouse.close();
    },
  };
}

async function openMigratedClickHouse(config: ClickHouseConfig, metrics: Metrics): Promise<ClickHouseClient> {
  const clickhouse = await openClickHouse(config, { meter: metrics });
  await migrate(clickhouse);
  // Views count working days through yunlian.working_days: the same calendar the detectors use.
  const year = new Date().getUTCFullYear();
  await fillWorkingDays(clickhouse, createWorkingCalendar({ closures: loadClosures() }), 2019, year + 1);
  return clickhouse;
}

export interface StartPipelinesOptions {
  services: Services;
  names: readonly PipelineName[];
  dataDir: string;
  groupIdPrefix?: string;
  now?: () => number;
  retry?: Partial<RetryOptions>;
  /** Detector tuning; the calendar defaults to the statutory one with config/closures.json. */
  detect?: Partial<DetectOptions>;
  ingest?: IngestOptions;
  /** Required when 'alerts' runs: where the dashboard listens and its tokens. */
  alerts?: { port: number; host?: string; apiToken: string; readOnlyToken?: string };
}

/** Starts the named pipelines on shared services, in data-flow order. */
export async function startPipelines(opts: StartPipelinesOptions): Promise<RunningPipeline[]> {
  const { services } = opts;
  const deps: PipelineDeps = {
    kafka: services.kafka,
    producer: services.producer,
    clickhouse: services.clickhouse,
    logger: services.logger,
    metrics: services.metrics,
    now: opts.now ?? Date.now,
    dataDir: opts.dataDir,
    groupIdPrefix: opts.groupIdPrefix ?? '',
    retry: opts.retry,
  };
  const running: RunningPipeline[] = [];
  for (const name of opts.names) {
    switch (name) {
      case 'ingest':
        running.push(await startIngestPipeline(deps, { invoiceEvent: services.codecs.invoiceEvents.qingpu, invoiceLeg: services.codecs.invoiceLeg }, opts.ingest));
        break;
      case 'detect':
        running.push(
          await startDetectPipeline(
            deps,
            { detectLeg: services.codecs.detectLeg, disruptionSignal: services.codecs.disruptionSignal },
            { calendar: opts.detect?.calendar ?? createWorkingCalendar({ closures: loadClosures() }), ...opts.detect },
          ),
        );
        break;
      case 'alerts': {
        if (!opts.alerts) throw new ConfigError('the alerts pipeline needs YUNLIAN_API_TOKEN and a port', { code: 'ALERTS_CONFIG' });
        const alerts = await startAlertsPipeline(deps, { codecs: { disruptionSignal: services.codecs.disruptionSignal }, ...opts.alerts });
        running.push(alerts);
        break;
      }
      case 'match':
        running.push(await startMatchPipeline(deps, { invoiceLeg: services.codecs.invoiceLeg, disruptionSignal: services.codecs.disruptionSignal, matchList: services.codecs.matchList }));
        break;
    }
  }
  return running;
}
