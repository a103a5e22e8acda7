import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseBenchOptions, type BenchOptions } from '../../bench/benchOptions.ts';
import { ConfigError } from '../../src/runtime/errors.ts';

const parse = (...argv: string[]): BenchOptions => parseBenchOptions(argv) as BenchOptions;

describe('bench options: detect threads', () => {
  it('runs detect in two worker threads by default on two cores or more, in one on the main thread', () => {
    expect(parse().detectThreads).toBe(availableParallelism() >= 2 ? 2 : 1);
    expect(parse('--pipeline-threads', 'main').detectThreads).toBe(1);
  });

  it('takes --detect-threads N for an A/B of the thread count', () => {
    expect(parse('--detect-threads', '1').detectThreads).toBe(1);
    expect(parse('--detect-threads', '3').detectThreads).toBe(3);
  });

  it('refuses a count outside 1 to 8, and more than one on the main thread', () => {
    expect(() => parse('--detect-threads', '9')).toThrow(ConfigError);
    expect(() => parse('--detect-threads', 'two')).toThrow(ConfigError);
    expect(() => parse('--pipeline-threads', 'main', '--detect-threads', '2')).toThrow(/need pipeline threads 'worker'/);
  });
});
