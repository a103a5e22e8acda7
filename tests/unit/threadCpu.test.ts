import { describe, expect, it } from 'vitest';
import { currentThreadCpuSeconds, processThreadCpuByName, statCpuSeconds, statThreadName } from '../../src/runtime/threadCpu.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { formatCpuBudget, formatThreadCpu, pipelineCpu, threadCpuOf, threadCpuSpan } from '../../bench/threadCpuReport.ts';

describe('thread CPU from /proc', () => {
  it('reads user + system ticks after a thread name that holds spaces and parentheses', () => {
    const stat = '4242 (V8 Worker (x) 1) S 4200 4200 4200 0 -1 4194368 77 0 0 0 1234 567 0 0 20 0 1 0 100 0 0';
    expect(statCpuSeconds(stat)).toBeCloseTo(18.01, 10);
    expect(statThreadName(stat)).toBe('V8 Worker (x) 1');
    expect(() => statCpuSeconds('garbage')).toThrow(RangeError);
  });

  it('sees the calling thread\'s CPU grow while it works, and lists the process\'s threads by name', () => {
    const before = currentThreadCpuSeconds();
    if (before === null) return expect(process.platform).not.toBe('linux');
    const until = performance.now() + 150;
    let spin = 0;
    while (performance.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(currentThreadCpuSeconds()!).toBeGreaterThan(before + 0.05);
    expect(processThreadCpuByName()!.get('node')).toBeGreaterThan(0);
  });

  it('reports the registry thread\'s CPU as yunlian_thread_cpu_seconds under its name', async () => {
    if (process.platform !== 'linux') return;
    const text = await createMetrics({ thread: 'detect' }).registry.metrics();
    expect(text).toMatch(/^yunlian_thread_cpu_seconds\{thread="detect"\} [0-9.]+$/m);
    const reading = threadCpuOf(text);
    expect([...reading.js.keys()]).toEqual(['detect']);
    expect(reading.js.get('detect')).toBeGreaterThan(0);
    expect(reading.os?.get('node')).toBeGreaterThan(0);
  });

  it('splits a span into JS threads and the rest by name, without counting the JS threads twice under node', () => {
    const span = threadCpuSpan(
      { js: new Map([['main', 1], ['detect', 2]]), os: new Map([['node', 10], ['MergeMutate', 1]]) },
      { js: new Map([['main', 3], ['detect', 12], ['ingest', 4]]), os: new Map([['node', 30], ['MergeMutate', 6], ['ThreadPool', 2]]) },
    );
    expect(span).toEqual({ js: { detect: 10, ingest: 4, main: 2 }, other: { MergeMutate: 5, node: 4, ThreadPool: 2 } });
    expect(formatThreadCpu(span!, 10)[0]).toContain('(2.70 cores)');
    expect(threadCpuSpan({ js: new Map(), os: null }, { js: new Map([['main', 1]]), os: null })).toBeNull();
  });

  it('counts ingest and every detect thread as the pipelines\' CPU, not main or the other threads', () => {
    const span = { js: { ingest: 3, 'detect-1': 2.5, 'detect-2': 2.5, main: 4 }, other: { node: 5, ThreadPool: 2 } };
    expect(pipelineCpu(span, 100_000, 2)).toEqual({ seconds: 8, microsPerEvent: 80, capacityPerSecond: 25_000, restSeconds: 11 });
    expect(pipelineCpu({ js: { detect: 1, ingest: 1 }, other: {} }, 10, 2)?.seconds).toBe(2);
    expect(pipelineCpu({ js: { main: 9 }, other: {} }, 100, 2)).toBeNull();
  });

  it('takes what the rest of the process used out of a target\'s CPU budget before the pipelines get theirs', () => {
    const cpu = pipelineCpu({ js: { ingest: 3, detect: 5, main: 1.5 }, other: { node: 3, ThreadPool: 2.5 } }, 100_000, 2)!;
    const line = formatCpuBudget(cpu, 100_000, 2, 20_000);
    expect(line).toContain('10.0 s for 100000 events on 2 cores');
    expect(line).toContain('the rest of this process used 7.0 s, leaving 3.0 s for ingest and detect, which used 8.0 s');
  });
});
