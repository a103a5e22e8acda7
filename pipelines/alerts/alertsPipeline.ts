import { randomBytes } from 'node:crypto';
import { createWorkingCalendar } from '../../src/calendar/chineseWorkingCalendar.ts';
import { loadClosures } from '../../src/calendar/loadClosures.ts';
import type { DisruptionSignal } from '../../src/domain/signal.ts';
import type { ValueCodec } from '../../src/kafka/valueCodec.ts';
import type { PipelineDeps, RunningPipeline } from '../../src/runtime/pipeline.ts';
import { migrate } from '../../sinks/clickhouse/migrate.ts';
import { CASES_MIGRATION } from '../../sinks/clickhouse/casesMigration.ts';
import { startAlertsServer } from './alertsServer.ts';
import { apiRoutes } from './apiRoutes.ts';
import { createCasesApi } from './casesApi.ts';
import { createCaseService } from './caseService.ts';
import { createCaseStore } from './caseStore.ts';
import { startDisruptionFeed } from './disruptionFeed.ts';
import { createEventRing } from './eventRing.ts';
import { selectRows } from './selectRows.ts';
import { createSseHub } from './sseHub.ts';
import { loadStaticAssets } from './staticAssets.ts';
import { createTokenAuth } from './tokenAuth.ts';

export interface AlertsOptions {
  codecs: { disruptionSignal: ValueCodec<DisruptionSignal> };
  /** YUNLIAN_HTTP_PORT; 0 picks a free port (tests). */
  port: number;
  /** Default 127.0.0.1; 0.0.0.0 in containers. */
  host?: string;
  /** YUNLIAN_API_TOKEN: reads and works cases. */
  apiToken: string;
  /** YUNLIAN_API_READONLY_TOKEN: reads only. */
  readOnlyToken?: string;
  /** Live events kept for Last-Event-ID replay (default 2000). */
  replayCapacity?: number;
  /** Set behind TLS so the session cookie is Secure. */
  secureCookie?: boolean;
}

/**
 * alerts: the live dashboard for risk teams and tax stewards. Consumes
 * `yunlian.disruptions` (and `yunlian.matches`) into an SSE hub, serves the
 * JSON API and the static UI, and stores cases in `yunlian.cases`.
 *
 * Scale-out note: every process should see every live event for its own
 * browsers, so several replicas need distinct `groupIdPrefix`es; case changes
 * are broadcast only by the process that made them.
 */
export async function startAlertsPipeline(deps: PipelineDeps, opts: AlertsOptions): Promise<RunningPipeline & { url: string }> {
  const log = deps.logger.child('alerts');
  const auth = createTokenAuth({ apiToken: opts.apiToken, readOnlyToken: opts.readOnlyToken, now: deps.now, secureCookie: opts.secureCookie });
  // Idempotent: a no-op once CASES_MIGRATION is part of MIGRATIONS and ran at start-up.
  await migrate(deps.clickhouse, [CASES_MIGRATION]);
  const calendar = createWorkingCalendar({ closures: loadClosures() });
  const ring = createEventRing({ capacity: opts.replayCapacity ?? 2000, boot: deps.now().toString(36) + randomBytes(3).toString('hex') });
  const hub = createSseHub({ ring, onClientCount: (n) => deps.metrics.sseClients(n) });
  const caseStore = createCaseStore(deps.clickhouse);
  const caseService = createCaseService({
    clickhouse: deps.clickhouse,
    store: caseStore,
    now: deps.now,
    onChange: (state) => hub.publish('case', state),
    onClosed: (state) => {
      deps.metrics.caseClosed(state.signal_type, state.outcome ?? 'NONE');
      log.info('case closed', { caseId: state.case_id, signalType: state.signal_type, outcome: state.outcome });
    },
  });

  const feed = await startDisruptionFeed(deps, { codec: opts.codecs.disruptionSignal, hub });
  let feedRunning = true;
  const done = feed.done.finally(() => {
    feedRunning = false;
  });

  const server = await startAlertsServer({
    routes: apiRoutes({ clickhouse: deps.clickhouse, calendar, auth, hub, caseStore, cases: createCasesApi(caseStore, caseService) }),
    auth,
    assets: loadStaticAssets(),
    metrics: deps.metrics,
    logger: log,
    port: opts.port,
    host: opts.host,
    ready: async () => {
      if (!feedRunning) return false;
      try {
        await selectRows(deps.clickhouse, 'SELECT 1 AS ok');
        return true;
      } catch (error) {
        log.warn('not ready: ClickHouse does not answer', { error });
        return false;
      }
    },
  }).catch(async (error: unknown) => {
    await feed.stop();
    throw error;
  });
  log.info('dashboard listening', { url: server.url, topics: feed.topics });

  return {
    name: 'alerts',
    url: server.url,
    done,
    async stop() {
      hub.close();
      await server.close();
      await feed.stop();
    },
  };
}
