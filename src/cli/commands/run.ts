import path from 'node:path';
import type { Command } from '../command.ts';
import { UsageError, parseFlags } from '../command.ts';
import { loadConfig } from '../../runtime/config.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { createLogger } from '../../runtime/log.ts';
import { createMetrics } from '../../runtime/metrics.ts';
import { connectServices, startPipelines } from '../../runtime/services.ts';
import { startMetricsServer } from '../../runtime/metricsServer.ts';
import { GROUPS, type PipelineName } from '../../kafka/topics.ts';
import { untilShutdownSignal } from '../shutdown.ts';

const USAGE = `
Usage: yunlian run <ingest|detect|match|alerts> [--embedded-clickhouse]

Runs one pipeline as its own process against real services; start more processes
to scale out (they share the consumer group and split the partitions).

Required environment:
  KAFKA_BROKERS          host:port,host:port
  SCHEMA_REGISTRY_URL    http(s)://[user:password@]host:port
  CLICKHOUSE_URL         http(s)://host:8123  (+ CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)
Alerts: YUNLIAN_API_TOKEN (required, ≥ 16 chars), YUNLIAN_API_READONLY_TOKEN (optional).
Optional: KAFKA_SSL=true, KAFKA_SASL_MECHANISM=plain|scram-sha-256|scram-sha-512,
  KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, YUNLIAN_HTTP_PORT (metrics/health, default 8080),
  YUNLIAN_DETECT_SNAPSHOTS=clickhouse (default: replicas on any host take partitions over) or
  files (state in $YUNLIAN_DATA_DIR/detect-state: one detect process, or all on one machine).

  --embedded-clickhouse  write to in-process ClickHouse (chDB) in $YUNLIAN_DATA_DIR/clickhouse
                         instead of CLICKHOUSE_URL: single-node installs and tests; one process
                         per data dir, so it cannot scale out.

SIGTERM/SIGINT finish the current batch, commit its offsets and leave the group.
`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run one pipeline (ingest|detect|match|alerts) against real services',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { 'embedded-clickhouse': { type: 'boolean' } }, true);
    const name = positionals[0];
    if (!name || !(name in GROUPS)) throw new UsageError(`name a pipeline: ${Object.keys(GROUPS).join(', ')}`);
    if (positionals.length > 1) throw new UsageError(`one pipeline per process (start one process each), got ${positionals.join(' ')}`);
    const embeddedClickHouse = values['embedded-clickhouse'] === true;
    if (embeddedClickHouse && process.env.CLICKHOUSE_URL) throw new UsageError('--embedded-clickhouse and CLICKHOUSE_URL exclude each other; unset one');
    const loaded = loadConfig();
    // Checked here rather than defaulted: a pipeline that silently wrote to a local chDB in a container would lose its output on restart.
    const missing = [!process.env.KAFKA_BROKERS && 'KAFKA_BROKERS', !process.env.SCHEMA_REGISTRY_URL && 'SCHEMA_REGISTRY_URL', !embeddedClickHouse && !process.env.CLICKHOUSE_URL && 'CLICKHOUSE_URL'].filter(Boolean);
    if (missing.length > 0 || !loaded.kafka || !loaded.schemaRegistryUrl) {
      throw new ConfigError(`yunlian run needs ${missing.join(', ')} (for the embedded system use 'yunlian up')`);
    }
    if (name === 'alerts' && !loaded.apiToken) throw new ConfigError('yunlian run alerts needs YUNLIAN_API_TOKEN (≥ 16 characters) to protect the API');
    const config = embeddedClickHouse ? { ...loaded, clickhouse: { kind: 'embedded' as const, path: path.join(loaded.dataDir, 'clickhouse') } } : loaded;
    const { kafka, schemaRegistryUrl } = loaded;
    const logger = createLogger(`yunlian:${name}`);
    const metrics = createMetrics({ defaultMetrics: true });
    const services = await connectServices({ kafka, schemaRegistryUrl, clickhouse: config.clickhouse, logger, metrics });
    const pipelines = await startPipelines({
      services,
      names: [name as PipelineName],
      dataDir: config.dataDir,
      detect: config.detectSnapshots === null ? undefined : { snapshotStore: config.detectSnapshots },
      alerts: config.apiToken ? { port: config.httpPort, host: '0.0.0.0', apiToken: config.apiToken, readOnlyToken: config.readOnlyToken ?? undefined } : undefined,
    });
    // The alerts server serves /metrics, /healthz and /readyz itself on the same port.
    const http = name === 'alerts' ? null : await startMetricsServer({ metrics, port: config.httpPort, host: '0.0.0.0', ready: () => true });
    logger.info('pipeline running', { pipeline: name, port: config.httpPort });
    const outcome = await untilShutdownSignal(Promise.all(pipelines.map((p) => p.done)));
    logger.info('stopping', { reason: outcome });
    for (const p of pipelines) await p.stop();
    await services.close();
    await http?.close();
    return outcome === 'failed' ? 1 : 0;
  },
};
