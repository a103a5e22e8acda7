import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/runtime/errors.ts';
import { createDetectorConfig, DEFAULT_DETECTOR_CONFIG, ringSizeFor } from '../../pipelines/detect/detectorConfig.ts';
import { formatPercent } from '../../pipelines/detect/explanation.ts';
import { formatYuan } from '../../pipelines/detect/formatYuan.ts';
import { medianOf } from '../../pipelines/detect/median.ts';
import { signalDistrictOf, signalIdOf } from '../../pipelines/detect/signalFactory.ts';

describe('formatYuan', () => {
  it('formats integer fen as yuan with two decimals and thousands separators', () => {
    expect(formatYuan(0)).toBe('¥0.00');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(123_456_789)).toBe('¥1,234,567.89');
    expect(formatYuan(-100_000)).toBe('-¥1,000.00');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91');
  });

  it('rejects amounts that are not integer fen', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
    expect(() => formatYuan(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatPercent', () => {
  it('shows one decimal below 10 % and whole percent above', () => {
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatPercent(0.38)).toBe('38%');
    expect(formatPercent(1)).toBe('100%');
  });
});

describe('medianOf', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(medianOf(Float64Array.from([5, 1, 3]))).toBe(3);
    expect(medianOf(Float64Array.from([4, 1, 3, 2]))).toBe(2.5);
    expect(medianOf(Float64Array.from([9, 7, 1, 100]), 3)).toBe(7);
    expect(() => medianOf(new Float64Array(0))).toThrow(RangeError);
  });
});

describe('signal identity', () => {
  it('is a deterministic hash of enterprise, type, partner and window start', () => {
    const a = signalIdOf('E', 'UPSTREAM_BROKEN', 'P', '2020-02-10');
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(signalIdOf('E', 'UPSTREAM_BROKEN', 'P', '2020-02-10')).toBe(a);
    expect(signalIdOf('E', 'UPSTREAM_BROKEN', 'Q', '2020-02-10')).not.toBe(a);
    expect(signalIdOf('E', 'UPSTREAM_BROKEN', 'P', '2020-02-11')).not.toBe(a);
  });

  it('names the zone district of a division code, or other', () => {
    expect(signalDistrictOf('310118')).toBe('qingpu');
    expect(signalDistrictOf('320500')).toBe('other');
  });
});

describe('createDetectorConfig', () => {
  it('starts from the DESIGN.md defaults and takes overrides', () => {
    expect(createDetectorConfig()).toEqual(DEFAULT_DETECTOR_CONFIG);
    expect(createDetectorConfig({ silenceDays: 5 }).silenceDays).toBe(5);
    // 60 baseline + 10 window + 7 more days for a lumpy flow's drop to confirm over 8 days (dropMaxConfirmDays).
    expect(ringSizeFor(DEFAULT_DETECTOR_CONFIG)).toBe(77);
  });

  it('rejects values that cannot work', () => {
    expect(() => createDetectorConfig({ windowDays: 0 })).toThrow(ConfigError);
    expect(() => createDetectorConfig({ dropRatio: 1.5 })).toThrow(ConfigError);
    expect(() => createDetectorConfig({ dropRatio: 0.5, dropResolveRatio: 0.4 })).toThrow(ConfigError);
    expect(() => createDetectorConfig({ minHistoryDays: 90 })).toThrow(ConfigError);
  });
});
