import { describe, expect, it } from 'vitest';
import { hotspots, inclusiveTimes, type CpuProfile, type ProfileNode } from '../../bench/cpuProfileSummary.ts';

function node(id: number, functionName: string, hitCount: number, children: number[] = [], url = 'file:///work/main/pipelines/ingest/x.ts'): ProfileNode {
  return { id, callFrame: { functionName, url, lineNumber: 0 }, hitCount, children };
}

/**
 * root ─ batch ─ encode ─ stringify (6 hits)
 *      │       └ decode (2 hits)
 *      │       └ walk (1) ─ walk (1, recursion) ─ leaf (2)
 *      └ (idle) (8 hits)
 * 20 hits over 20 ms: 1 ms a hit, 12 ms busy.
 */
const profile: CpuProfile = {
  startTime: 0,
  endTime: 20_000,
  nodes: [
    node(1, '(root)', 0, [2, 9], ''),
    node(2, 'batch', 0, [3, 5, 6]),
    node(3, 'encode', 0, [4]),
    node(4, 'stringify', 6),
    node(5, 'decode', 2),
    node(6, 'walk', 1, [7]),
    node(7, 'walk', 1, [8]),
    node(8, 'leaf', 2),
    node(9, '(idle)', 8, [], ''),
  ],
};

describe('CPU profile summary', () => {
  it('gives self time per function as a share of the whole span, idle included', () => {
    const list = hotspots(profile);
    expect(list.map((h) => [h.name, h.ms])).toEqual([
      ['(idle)', 8],
      ['stringify', 6],
      ['decode', 2],
      ['walk', 2],
      ['leaf', 2],
    ]);
    expect(list[1]).toMatchObject({ where: 'pipelines/ingest/x.ts:1', share: 0.3 });
  });

  it('gives inclusive time as a share of the busy time, a recursive function counted once a sample', () => {
    const byName = new Map(inclusiveTimes(profile).map((h) => [h.name, h]));
    expect(byName.has('(idle)')).toBe(false);
    expect(byName.get('(root)')).toMatchObject({ ms: 12, share: 1 });
    expect(byName.get('batch')).toMatchObject({ ms: 12, share: 1 });
    expect(byName.get('encode')).toMatchObject({ ms: 6, share: 0.5 });
    // walk's own 2 hits plus leaf's 2, not leaf's counted twice for the two walks above it.
    expect(byName.get('walk')?.ms).toBe(4);
    expect(byName.get('leaf')?.ms).toBe(2);
  });

  it('reads an empty profile as no time rather than dividing by zero', () => {
    const empty: CpuProfile = { startTime: 0, endTime: 0, nodes: [node(1, '(root)', 0)] };
    expect(hotspots(empty)).toEqual([]);
    expect(inclusiveTimes(empty)).toEqual([]);
  });
});
