import { describe, expect, it } from 'vitest';
import { entryStateJson, type EntryState, type IncrementalSnapshot } from '../../pipelines/detect/incrementalSnapshot.ts';
import { encodeSnapshot } from '../../pipelines/detect/runtimeSnapshotStore.ts';
import type { SnapshotKey } from '../../pipelines/detect/snapshotStore.ts';
import { emptyOutput, PartitionProcessor } from '../../pipelines/detect/runtimePartition.ts';
import { DEFAULT_WATERMARK_CONFIG } from '../../pipelines/detect/watermarkClock.ts';
import { detectorContext } from '../helpers/detectFixtures.ts';
import { snapshotCalendar, snapshotScenarioLegs } from '../helpers/snapshotScenario.ts';
import { encodedRowObjects } from '../helpers/encodedRowObjects.ts';

const key: SnapshotKey = { groupId: 'g', clusterId: 'c', topic: 'yunlian.invoice-legs', partition: 3 };
const takenAtMs = Date.parse('2026-11-29T19:00:00.000Z');
const columns = { group_id: 'g', cluster_id: 'c', topic: 'yunlian.invoice-legs', partition: 3, taken_at: '2026-11-29T19:00:00.000Z' };

/** A snapshot with base rows (new enterprises), then one with log rows, from the two-firm scenario. */
function snapshots(): IncrementalSnapshot[] {
  const processor = new PartitionProcessor(detectorContext(snapshotCalendar), DEFAULT_WATERMARK_CONFIG);
  const legs = snapshotScenarioLegs();
  const out = emptyOutput();
  const taken: IncrementalSnapshot[] = [];
  legs.forEach((l, i) => {
    processor.process(l, out, i);
    if (i === 200 || i === 205) taken.push(processor.snapshot(i + 1));
  });
  return taken;
}

describe('snapshot row encoding', () => {
  it('writes each entry\'s state once, as a JSON object in its row, next to the partition\'s columns', () => {
    for (const snapshot of snapshots()) {
      expect(snapshot.entries.length).toBeGreaterThan(0);
      const encoded = encodeSnapshot(snapshot, key, takenAtMs);
      const rows = encodedRowObjects(encoded.entries);
      expect(rows).toEqual(
        snapshot.entries.map((e) => ({ ...columns, entry_key: e.slot === null ? e.taxId : `${e.taxId}#${e.slot}`, version: String(snapshot.nextOffset), deleted: 0, state: e.state })),
      );
      expect(encodedRowObjects(encoded.header)).toEqual([{ ...columns, entry_key: '', version: String(snapshot.nextOffset), deleted: 0, state: snapshot.header }]);
    }
  });

  it('writes a dropped enterprise as a tombstone with an empty state', () => {
    const encoded = encodeSnapshot({ nextOffset: 9, header: snapshots()[0]!.header, entries: [{ taxId: '91330421MA2B000001', coversOffset: 9, slot: null, state: null }] }, key, takenAtMs);
    expect(encodedRowObjects(encoded.entries)).toEqual([{ ...columns, entry_key: '91330421MA2B000001', version: '9', deleted: 1, state: '' }]);
  });

  it('writes a row\'s state as JSON.stringify would, log rows (built by hand) included', () => {
    const states = snapshots().flatMap((s) => s.entries.flatMap((e) => (e.state === null ? [] : [e.state])));
    expect(new Set(states.map((s) => s.kind))).toEqual(new Set(['base', 'leg-bytes']));
    const beforeAnyClose: EntryState = { kind: 'leg-bytes', closes: 0, count: 1, legs: 'AAEC+/==', closedThrough: null };
    for (const state of [...states, beforeAnyClose]) expect(entryStateJson(state)).toBe(JSON.stringify(state));
  });
});
