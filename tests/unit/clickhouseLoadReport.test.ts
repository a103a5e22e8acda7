import { describe, expect, it } from 'vitest';
import { clickhouseRunLoad, formatClickHouseLoad } from '../../bench/clickhouseLoadReport.ts';
import type { ClickHouseLoad } from '../../src/runtime/metrics.ts';

const before: ClickHouseLoad = {
  busySeconds: 2,
  targets: [
    { op: 'command', table: '', calls: 40, callSeconds: 1.5, insertBytes: 0 },
    { op: 'insert', table: 'yunlian.invoices', calls: 1, callSeconds: 0.1, insertBytes: 100 },
  ],
};
const after: ClickHouseLoad = {
  busySeconds: 32,
  targets: [
    { op: 'command', table: '', calls: 40, callSeconds: 1.5, insertBytes: 0 },
    { op: 'insert', table: 'yunlian.invoices', calls: 11, callSeconds: 10.1, insertBytes: 2_100 },
    { op: 'insert', table: 'yunlian.detect_snapshot_entries', calls: 300, callSeconds: 25, insertBytes: 9_000 },
    { op: 'query', table: '', calls: 4, callSeconds: 0.5, insertBytes: 0 },
  ],
};

describe('the ClickHouse load of a bench run', () => {
  it('is what the counters grew by between the readings, busy share of the span, tables by call seconds', () => {
    const load = clickhouseRunLoad(before, after, 60, 2);
    expect(load.busySeconds).toBe(30);
    expect(load.busyShare).toBe(0.5);
    expect(load.calls).toBe(314);
    expect(load.callSeconds).toBeCloseTo(35.5, 9);
    expect(load.top).toEqual([
      { op: 'insert', table: 'yunlian.detect_snapshot_entries', calls: 300, callSeconds: 25, insertBytes: 9_000 },
      { op: 'insert', table: 'yunlian.invoices', calls: 10, callSeconds: 10, insertBytes: 2_000 },
    ]);
  });

  it('prints the busy share and one line per top target', () => {
    const lines = formatClickHouseLoad(clickhouseRunLoad(before, after, 60));
    expect(lines[0]).toContain('busy 30.0 s of 60.0 s wall (50 %)');
    expect(lines[1]).toMatch(/^ {2}insert yunlian\.detect_snapshot_entries +300 calls +25\.0 s/);
    expect(lines).toHaveLength(4);
  });
});
