/** One row of the `npm run faults` table. */
export interface FaultResult {
  scenario: string;
  /** Records offered to the system (valid and hostile). */
  recordsIn: number;
  /** Distinct invoices in `yunlian.invoices FINAL`. */
  inClickHouse: number;
  /** Rows beyond one per event_id in `yunlian.invoices FINAL` (plus doubled signals where checked). */
  duplicates: number;
  /** Valid invoices produced but missing from ClickHouse. */
  lost: number;
  /** Records in `yunlian.dlq`. */
  dlq: number;
  ok: boolean;
  /** What else was checked, and why a check failed. */
  notes: string[];
  seconds: number;
}

export function formatFaultTable(results: readonly FaultResult[]): string {
  const header = ['scenario', 'records in', 'in ClickHouse', 'duplicates', 'lost', 'DLQ', 'result', 'seconds'];
  const rows = results.map((r) => [r.scenario, String(r.recordsIn), String(r.inClickHouse), String(r.duplicates), String(r.lost), String(r.dlq), r.ok ? 'PASS' : 'FAIL', r.seconds.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`, ...rows.map(line)];
  return out.join('\n');
}

/** Invoice counts of `yunlian.invoices FINAL` against what was produced (scenarioWorkload.ts `InvoiceTally`). */
export interface InvoiceCounts {
  distinct: number;
  duplicates: number;
  lost: number;
}

/**
 * One scenario's table row: its counts, whether all its checks held, and the
 * time since the check list was started. `extraDuplicates` adds doubled rows
 * found beyond invoices (e.g. signals).
 */
export function faultResult(scenario: string, checks: CheckList, counts: { recordsIn: number; invoices: InvoiceCounts; dlq: number; extraDuplicates?: number }): FaultResult {
  return {
    scenario,
    recordsIn: counts.recordsIn,
    inClickHouse: counts.invoices.distinct,
    duplicates: counts.invoices.duplicates + (counts.extraDuplicates ?? 0),
    lost: counts.invoices.lost,
    dlq: counts.dlq,
    ok: checks.ok,
    notes: [...checks.notes],
    seconds: checks.elapsedSeconds(),
  };
}

/** The row of a scenario that threw before it could count anything: a FAIL with the error in its notes. */
export function thrownResult(scenario: string, error: unknown, startedAt: number, hint?: string): FaultResult {
  const checks = new CheckList(startedAt);
  checks.check(false, `threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (hint) checks.note(hint);
  return faultResult(scenario, checks, { recordsIn: 0, invoices: { distinct: 0, duplicates: 0, lost: 0 }, dlq: 0 });
}

/** Collects named checks of one scenario; a scenario passes when all of them hold. */
export class CheckList {
  readonly notes: string[] = [];
  private failed = false;

  /** `startedAt`: when the scenario began (epoch ms), for the table's seconds column. */
  constructor(readonly startedAt: number = Date.now()) {}

  elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  check(ok: boolean, what: string): boolean {
    this.notes.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) this.failed = true;
    return ok;
  }

  note(what: string): void {
    this.notes.push(`     ${what}`);
  }

  get ok(): boolean {
    return !this.failed;
  }
}
