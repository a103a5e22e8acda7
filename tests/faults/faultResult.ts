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

/** Collects named checks of one scenario; a scenario passes when all of them hold. */
export class CheckList {
  readonly notes: string[] = [];
  private failed = false;

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
