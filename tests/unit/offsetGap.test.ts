import { describe, expect, it } from 'vitest';
import { classifyOffsetGap } from '../../src/kafka/offsetGap.ts';

describe('classifyOffsetGap', () => {
  it('sees no gap when the batch starts at the expected offset', () => {
    expect(classifyOffsetGap({ expected: 100n, firstFetched: 100n, logStart: 0n })).toEqual({ kind: 'none' });
  });

  it('sees no gap when the batch starts before the expected offset (a redelivery)', () => {
    expect(classifyOffsetGap({ expected: 100n, firstFetched: 40n, logStart: 0n })).toEqual({ kind: 'none' });
  });

  it('does not count loss when a member kept its position across a rebalance beyond a refused commit', () => {
    // The committed offset is 392, the member had already read up to 500: every skipped offset is still in the log.
    expect(classifyOffsetGap({ expected: 392n, firstFetched: 500n, logStart: 0n })).toEqual({ kind: 'jump', skipped: 108n });
  });

  it('does not count loss for offsets a compacted or transactional log simply has no records at', () => {
    expect(classifyOffsetGap({ expected: 10n, firstFetched: 13n, logStart: 10n })).toEqual({ kind: 'jump', skipped: 3n });
  });

  it('counts as lost the records retention deleted before they were read', () => {
    expect(classifyOffsetGap({ expected: 100n, firstFetched: 250n, logStart: 250n })).toEqual({ kind: 'loss', lost: 150n, skipped: 150n });
  });

  it('counts only the deleted part of a gap whose upper offsets are still in the log', () => {
    expect(classifyOffsetGap({ expected: 100n, firstFetched: 250n, logStart: 180n })).toEqual({ kind: 'loss', lost: 80n, skipped: 150n });
  });

  it('counts the whole gap when the log start moved on beyond the fetched batch', () => {
    expect(classifyOffsetGap({ expected: 100n, firstFetched: 250n, logStart: 300n })).toEqual({ kind: 'loss', lost: 150n, skipped: 150n });
  });
});
