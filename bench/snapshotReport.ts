/** detect's snapshot totals (the yunlian_detect_snapshot* series of every detect thread, summed). */
export interface DetectSnapshotTotals {
  snapshots: number;
  baseRows: number;
  logRows: number;
  tombstoneRows: number;
  loggedLegs: number;
  bytes: number;
  encodeSeconds: number;
}

const SERIES: ReadonlyArray<readonly [keyof DetectSnapshotTotals, string]> = [
  ['snapshots', 'yunlian_detect_snapshots_total'],
  ['baseRows', 'yunlian_detect_snapshot_rows_total{row="base"}'],
  ['logRows', 'yunlian_detect_snapshot_rows_total{row="log"}'],
  ['tombstoneRows', 'yunlian_detect_snapshot_rows_total{row="tombstone"}'],
  ['loggedLegs', 'yunlian_detect_snapshot_logged_legs_total'],
  ['bytes', 'yunlian_detect_snapshot_bytes_total'],
  ['encodeSeconds', 'yunlian_detect_snapshot_encode_seconds_sum'],
];

/** The totals in `text`, the merged registry's exposition (every detect thread's series, summed there). */
export function detectSnapshotsOf(text: string): DetectSnapshotTotals {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.lastIndexOf(' ');
    if (line.startsWith('yunlian_detect_snapshot') && space > 0) values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  const totals = {} as DetectSnapshotTotals;
  for (const [field, series] of SERIES) totals[field] = values.get(series) ?? 0;
  return totals;
}

/** What detect's snapshots did between two readings. */
export function detectSnapshotSpan(before: DetectSnapshotTotals, after: DetectSnapshotTotals): DetectSnapshotTotals {
  const span = {} as DetectSnapshotTotals;
  for (const [field] of SERIES) span[field] = after[field] - before[field];
  return span;
}

/** One line for the bench's output; `legs` the legs detect read in the same span. */
export function formatDetectSnapshots(span: DetectSnapshotTotals, legs: number): string {
  const perLeg = (n: number) => (legs > 0 ? n / legs : 0);
  return (
    `detect snapshots: ${span.snapshots} (${span.baseRows} base rows, ${span.logRows} log rows carrying ${span.loggedLegs} legs, ${span.tombstoneRows} tombstones); ` +
    `${(span.bytes / 1048576).toFixed(1)} MiB (${perLeg(span.bytes).toFixed(0)} B a leg); encoding ${span.encodeSeconds.toFixed(2)} s on detect's threads (${(perLeg(span.encodeSeconds) * 1e6).toFixed(1)} µs a leg)`
  );
}
