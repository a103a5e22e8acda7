import { describe, expect, it } from 'vitest';
import { allocationSites, type HeapProfileNode } from '../../bench/heapProfileSummary.ts';

const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({
  callFrame: { functionName, url, lineNumber, columnNumber: 0 },
  selfSize,
  children,
});

describe('allocationSites', () => {
  it('sums a function\'s own bytes over every path that reached it, most first, with shares of the total', () => {
    const head = node('(root)', '', 0, 0, [
      node('run', 'file:///repo/bench/x.ts', 9, 100, [node('applyLeg', 'file:///repo/pipelines/detect/a.ts', 95, 600)]),
      node('other', 'file:///repo/bench/x.ts', 20, 0, [node('applyLeg', 'file:///repo/pipelines/detect/a.ts', 95, 200), node('take', 'file:///repo/pipelines/detect/b.ts', 98, 50)]),
    ]);
    const sites = allocationSites(head);
    expect(sites.map((s) => [s.name, s.where, s.bytes])).toEqual([
      ['applyLeg', 'pipelines/detect/a.ts:96', 800],
      ['run', 'bench/x.ts:10', 100],
      ['take', 'pipelines/detect/b.ts:99', 50],
    ]);
    expect(sites[0]!.share).toBeCloseTo(800 / 950, 10);
    expect(sites.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1, 10);
  });

  it('places sites through the locator it is given', () => {
    const head = node('(root)', '', 0, 0, [node('', 'file:///repo/src/y.ts', 0, 64)]);
    expect(allocationSites(head, (url, line) => `${url.split('/').pop()}@${line}`)).toEqual([{ name: '(anonymous)', where: 'y.ts@0', bytes: 64, share: 1 }]);
  });
});
