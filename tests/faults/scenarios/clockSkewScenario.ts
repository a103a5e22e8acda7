import type { District } from '../../../src/domain/district.ts';
import type { FeedArrival } from '../../../src/simulate/simulateScenario.ts';
import { startFaultCluster } from '../faultCluster.ts';
import { CheckList, type FaultResult } from '../faultResult.ts';
import { produceArrivals, sleep, waitDrained, type Workload } from '../scenarioWorkload.ts';
import { finishWorkloadRun, type ReferenceSignals } from './pipelineRun.ts';
import type { ConsumerTimeouts } from '../consumerTimeouts.ts';

const ABSENCE = new Set(['SILENCE', 'UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN']);
const CST_OFFSET_MS = 8 * 3600_000;

/** issued_at moved by `shiftMs`, written back in +08:00 as the feeds write it. */
export function shiftIssuedAt(issuedAt: string, shiftMs: number): string {
  const local = new Date(Date.parse(issuedAt) + shiftMs + CST_OFFSET_MS).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

export interface ClockSkewOptions {
  /** Event-clock offset per district feed, ms (e.g. +15 min / −15 min). */
  skewMs: Partial<Record<District, number>>;
  idleDistrict: District;
  /** Event time (ISO) at which the idle feed goes quiet, and for how many hours of event time. */
  idleFrom: string;
  idleEventHours: number;
  /** Wall time the idle feed stays silent while the others go on (detect counts idleness in legs, so any pause must change nothing). */
  idleWallMs: number;
  drainTimeoutMs: number;
  consumerTimeouts?: ConsumerTimeouts;
}

/**
 * District event clocks skewed by ±15 minutes, and one district feed silent
 * for hours of event time (and for a while of wall time) before it delivers
 * its backlog. Expected: no SILENCE or broken-link
 * signal that the uninterrupted, unskewed run does not raise, and nothing lost.
 */
export async function clockSkewScenario(workload: Workload, reference: ReferenceSignals, opts: ClockSkewOptions): Promise<FaultResult> {
  const checks = new CheckList();
  const skewed: FeedArrival[] = workload.arrivals.map((a) => {
    const shift = opts.skewMs[a.feed] ?? 0;
    return shift === 0 ? a : { ...a, event: { ...a.event, issued_at: shiftIssuedAt(a.event.issued_at, shift) } };
  });
  const idleStart = Date.parse(opts.idleFrom);
  const idleEnd = idleStart + opts.idleEventHours * 3600_000;
  const before = skewed.filter((a) => a.arrival_ms < idleStart);
  const during = skewed.filter((a) => a.arrival_ms >= idleStart && a.arrival_ms < idleEnd);
  const after = skewed.filter((a) => a.arrival_ms >= idleEnd);
  const othersDuring = during.filter((a) => a.feed !== opts.idleDistrict);
  const held = during.filter((a) => a.feed === opts.idleDistrict);
  checks.note(`${opts.idleDistrict} silent for ${opts.idleEventHours} h of event time from ${opts.idleFrom} (${held.length} events held back, ${othersDuring.length} from the other feeds meanwhile, over ${opts.idleWallMs / 1000} s)`);

  const cluster = await startFaultCluster('clock-skew', { consumerTimeouts: opts.consumerTimeouts });
  try {
    const worker = await cluster.startWorker();
    await produceArrivals(cluster, before);
    const steps = 10;
    for (let i = 0; i < steps; i++) {
      await produceArrivals(cluster, othersDuring.slice(Math.floor((i * othersDuring.length) / steps), Math.floor(((i + 1) * othersDuring.length) / steps)));
      await sleep(opts.idleWallMs / steps);
    }
    await produceArrivals(cluster, held);
    await produceArrivals(cluster, after);
    await waitDrained(cluster, opts.drainTimeoutMs);
    const skewedWorkload: Workload = { arrivals: skewed, eventIds: workload.eventIds };
    const result = await finishWorkloadRun({ scenario: 'clock skew ±15 min + idle district', cluster, worker, workload: skewedWorkload, checks });
    const absenceKey = (state: string) => {
      const [id, type] = state.split(' ');
      return ABSENCE.has(type!) ? `${id} ${type}` : null;
    };
    const refAbsence = new Set(reference.states.map(absenceKey).filter((k): k is string => k !== null));
    const falseAbsence = [...new Set(result.signals.map(absenceKey).filter((k): k is string => k !== null))].filter((k) => !refAbsence.has(k));
    checks.check(falseAbsence.length === 0, `no SILENCE or broken-link signal beyond the unskewed run's (${falseAbsence.length} extra; reference has ${refAbsence.size})`);
    for (const k of falseAbsence.slice(0, 5)) checks.note(`false absence signal: ${k}`);
    const late = await worker.query<{ n: string }>('SELECT count() AS n FROM yunlian.late_events FINAL');
    checks.note(`late legs recorded: ${late[0]?.n ?? 0}`);
    await worker.stop();
    return { ...result, ok: checks.ok, notes: [...checks.notes], seconds: checks.elapsedSeconds() };
  } finally {
    await cluster.close();
  }
}
