import type { Command } from '../command.ts';
import { UsageError, intFlag, parseFlags } from '../command.ts';
import { dataDirOf, readRuntimeFile, runtimeFilePath, writeRuntimeFile } from '../../runtime/config.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { createLogger } from '../../runtime/log.ts';
import { isPipelineThreads, startEmbeddedSystem } from '../../embedded/embeddedSystem.ts';
import { resolveDetectThreads } from '../../embedded/detectThreads.ts';
import { streamScenario } from '../../embedded/scenarioStreamer.ts';
import { startMetricsServer } from '../../runtime/metricsServer.ts';
import { pipelineLagGates } from '../../embedded/pipelineBackpressure.ts';
import { GROUPS, type PipelineName } from '../../kafka/topics.ts';
import { createWorkingCalendar } from '../../calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../calendar/loadClosures.ts';
import { createScenario } from '../../simulate/simulateScenario.ts';
import { isScenarioPresetName, presetOptions, SCENARIO_PRESETS } from '../../simulate/scenarioPresets.ts';
import { untilShutdownSignal } from '../shutdown.ts';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../runtime/config.ts';
import type { RunningPipeline } from '../../runtime/pipeline.ts';

const USAGE = `
Usage: yunlian up [--scenario live|eval|none] [--rate <events/s>] [--pipelines ingest,...] [--pipeline-threads worker|main] [--detect-threads N]

Starts the whole system embedded in this process: a mock Kafka cluster (Debian's kcat),
the bundled Schema Registry, ClickHouse (chDB) with its read-only HTTP interface, the
pipelines, and a live 2020 scenario streamed into the three district feeds.
Ctrl-C stops everything cleanly.

Options:
  --scenario <name>   ${Object.entries(SCENARIO_PRESETS).map(([k, p]) => `${k}: ${p.description}`).join('; ')}; none: empty system (default live)
  --seed <n>          scenario seed (default: the preset's)
  --rate <n>          offered load in events per second (default 3000)
  --pipelines <list>  pipelines to run (default ingest,detect,match,alerts)
  --pipeline-threads <worker|main>
                      worker (default): ingest, detect and match each run in a worker thread,
                      so they use more than one core; ClickHouse (chDB) and the dashboard stay
                      on the main thread. main: every pipeline on the main thread.
                      Also YUNLIAN_PIPELINE_THREADS; the flag wins.
  --detect-threads <n>
                      threads running detect, 1-8; with worker threads they split the leg
                      partitions and their state (default 2 on 2 or more cores; main allows 1).
                      Also YUNLIAN_DETECT_THREADS; the flag wins.

Environment: YUNLIAN_DATA_DIR (default ./.yunlian), YUNLIAN_CLICKHOUSE_PORT (8123),
YUNLIAN_HTTP_PORT (8080: dashboard, /api, /metrics, /healthz, /readyz),
YUNLIAN_API_TOKEN (generated and printed when unset), YUNLIAN_API_READONLY_TOKEN,
YUNLIAN_DETECT_SNAPSHOTS (files, the default: detect state in $YUNLIAN_DATA_DIR/detect-state;
or clickhouse).
`;

export const upCommand: Command = {
  name: 'up',
  summary: 'start the whole system embedded, with a live 2020 scenario',
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, { scenario: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' }, pipelines: { type: 'string' }, 'pipeline-threads': { type: 'string' }, 'detect-threads': { type: 'string' } });
    const scenario = values.scenario ?? 'live';
    if (scenario !== 'none' && !isScenarioPresetName(scenario)) throw new UsageError(`--scenario must be ${Object.keys(SCENARIO_PRESETS).join(', ')} or none`);
    const rate = intFlag(values.rate, 'rate', 3000, 1);
    const pipelines = (values.pipelines ?? 'ingest,detect,match,alerts').split(',').map((p) => p.trim()) as PipelineName[];
    for (const p of pipelines) if (!(p in GROUPS)) throw new UsageError(`unknown pipeline '${p}'`);
    const pipelineThreads = values['pipeline-threads'] ?? process.env.YUNLIAN_PIPELINE_THREADS ?? 'worker';
    if (!isPipelineThreads(pipelineThreads)) throw new UsageError(`--pipeline-threads (or YUNLIAN_PIPELINE_THREADS) must be worker or main, got '${pipelineThreads}'`);
    const dataDir = dataDirOf(process.env);
    const running = readRuntimeFile(dataDir);
    if (running) throw new ConfigError(`yunlian is already up in ${dataDir} (pid ${running.pid}); stop it or set YUNLIAN_DATA_DIR`);
    const clickhousePort = intFlag(process.env.YUNLIAN_CLICKHOUSE_PORT, 'YUNLIAN_CLICKHOUSE_PORT', 8123);
    const httpPort = intFlag(process.env.YUNLIAN_HTTP_PORT, 'YUNLIAN_HTTP_PORT', 8080);
    const logger = createLogger('yunlian');
    const config = loadConfig({ ...process.env, CLICKHOUSE_URL: undefined });
    const detectThreads = resolveDetectThreads(pipelineThreads, values['detect-threads'] === undefined ? (config.detectThreads ?? undefined) : intFlag(values['detect-threads'], 'detect-threads', 0, 1));
    const apiToken = config.apiToken ?? randomBytes(24).toString('base64url');
    const startedAt = Date.now();
    const out = (line: string) => process.stdout.write(line + '\n');

    out('starting yunlian (embedded)…');
    const withAlerts = pipelines.includes('alerts');
    const system = await startEmbeddedSystem({
      dataDir,
      logger,
      pipelines,
      clickhousePort,
      pipelineThreads,
      detectThreads,
      detect: config.detectSnapshots === null ? undefined : { snapshotStore: config.detectSnapshots },
      workerYoungGenerationMb: config.workerYoungGenerationMb,
      alerts: { port: httpPort, apiToken, readOnlyToken: config.readOnlyToken ?? undefined },
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`port in use: set YUNLIAN_CLICKHOUSE_PORT to a free port (${(error as Error).message})`);
      throw error;
    });
    // With alerts running, its server owns YUNLIAN_HTTP_PORT (dashboard, API, /metrics); otherwise a metrics-only server does.
    const alerts = system.pipelines.find((p) => p.name === 'alerts') as (RunningPipeline & { url?: string }) | undefined;
    const http = withAlerts
      ? null
      : await startMetricsServer({ metrics: system.services.metrics, port: httpPort, ready: () => true }).catch(async (error: unknown) => {
          await system.stop();
          throw new ConfigError(`cannot listen on YUNLIAN_HTTP_PORT ${httpPort}: ${(error as Error).message}`);
        });
    const httpUrl = alerts?.url ?? http?.url ?? null;
    writeRuntimeFile(dataDir, {
      pid: process.pid,
      startedAt: new Date(startedAt).toISOString(),
      brokers: system.brokers,
      schemaRegistryUrl: system.registryUrl,
      clickhouseHttpUrl: system.clickhouseHttp.url,
      clickhouseUser: system.clickhouseHttp.user,
      clickhousePassword: system.clickhouseHttp.password,
      httpUrl,
    });
    out(`yunlian is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    out(`  Kafka (mock, 3 brokers)   ${system.brokers.join(',')}`);
    out(`  Schema Registry           ${system.registryUrl}`);
    out(`  ClickHouse HTTP           ${system.clickhouseHttp.url}  (user ${system.clickhouseHttp.user}, read-only; password in ${dataDir}/analyst.password)`);
    if (alerts?.url) {
      out(`  Dashboard                 ${alerts.url}/login#token=${config.apiToken ? '<YUNLIAN_API_TOKEN>' : apiToken}`);
      out(`  API                       ${alerts.url}/api (Authorization: Bearer <token>; docs/api.md)`);
    }
    out(`  Metrics / health          ${httpUrl}/metrics  ${httpUrl}/healthz`);
    out(`  Pipelines                 ${pipelines.join(', ')} (${pipelineThreads === 'worker' ? `ingest, detect and match in worker threads; detect in ${detectThreads}` : 'all on the main thread'})`);
    out(`  Data dir                  ${dataDir}`);
    out(`Try:  yunlian sql "SELECT district, count() FROM yunlian.invoices FINAL GROUP BY district"`);

    const abort = new AbortController();
    let streaming: Promise<unknown> = Promise.resolve();
    if (scenario !== 'none') {
      const calendar = createWorkingCalendar({ closures: loadClosures() });
      const seed = values.seed === undefined ? undefined : intFlag(values.seed, 'seed', 0);
      const stream = createScenario(presetOptions(scenario, calendar, seed === undefined ? {} : { seed }));
      const admin = system.services.kafka.admin();
      await admin.connect();
      const lagGates = pipelineLagGates(admin, pipelines, logger);
      out(`streaming the '${scenario}' scenario (${SCENARIO_PRESETS[scenario].description}) at ${rate} events/s…`);
      let lastPrint = 0;
      streaming = streamScenario({
        arrivals: stream.arrivals(),
        producer: system.services.producer,
        codecs: system.services.codecs.invoiceEvents,
        eventsPerSecond: rate,
        lagGates,
        signal: abort.signal,
        onProgress: (produced, last) => {
          if (Date.now() - lastPrint < 10_000) return;
          lastPrint = Date.now();
          out(`  scenario: ${produced} events produced, event time ${last.issued_at.slice(0, 10)}`);
        },
      })
        .then((n) => out(`scenario complete: ${n} events produced`))
        .catch((error: unknown) => logger.error('scenario streaming failed', { error }))
        .finally(() => admin.disconnect());
    }
    out('Press Ctrl-C to stop.');
    const outcome = await untilShutdownSignal(Promise.all(system.pipelines.map((p) => p.done)));
    abort.abort();
    await streaming;
    await http?.close();
    await system.stop();
    rmSync(runtimeFilePath(dataDir), { force: true });
    out('yunlian stopped.');
    return outcome === 'failed' ? 1 : 0;
  },
};
