import { describe, expect, it } from 'vitest';
import { currentThreadUsage, processThreadUsageByName, statThreadName, statUsage, type ThreadUsage } from '../../src/runtime/threadCpu.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { formatCpuBudget, formatThreadCpu, pipelineCpu, threadCpuOf, threadCpuSpan } from '../../bench/threadCpuReport.ts';

describe('thread CPU from /proc', () => {
  it('reads user + system ticks and minor faults after a thread name that holds spaces and parentheses', () => {
    const stat = '4242 (V8 Worker (x) 1) S 4200 4200 4200 0 -1 4194368 77 0 3 0 1234 567 0 0 20 0 1 0 100 0 0';
    const usage = statUsage(stat);
    expect(usage.cpuSeconds).toBeCloseTo(18.01, 10);
    expect(usage.minorFaults).toBe(77);
    expect(statThreadName(stat)).toBe('V8 Worker (x) 1');
    expect(() => statUsage('garbage')).toThrow(RangeError);
  });

  it('sees the calling thread\'s CPU grow while it works and its faults while it touches fresh memory, and lists the process\'s threads by name', () => {
    const before = currentThreadUsage();
    if (before === null) return expect(process.platform).not.toBe('linux');
    const until = performance.now() + 150;
    let spin = 0;
    while (performance.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(currentThreadUsage()!.cpuSeconds).toBeGreaterThan(before.cpuSeconds + 0.05);
    // 16 MiB written once: at least one fault per 4 KiB page, unless the allocator reused pages this thread had touched.
    const faultsBefore = currentThreadUsage()!.minorFaults;
    const fresh = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < fresh.length; i += 4096) fresh[i] = 1;
    expect(currentThreadUsage()!.minorFaults - faultsBefore).toBeGreaterThan(1000);
    expect(processThreadUsageByName()!.get('node')!.cpuSeconds).toBeGreaterThan(0);
  });

  it('reports the registry thread\'s CPU as yunlian_thread_cpu_seconds under its name', async () => {
    if (process.platform !== 'linux') return;
    const text = await createMetrics({ thread: 'detect' }).registry.metrics();
    expect(text).toMatch(/^yunlian_thread_cpu_seconds\{thread="detect"\} [0-9.]+$/m);
    expect(text).toMatch(/^yunlian_thread_minor_faults\{thread="detect"\} [0-9]+$/m);
    const reading = threadCpuOf(text);
    expect([...reading.js.keys()]).toEqual(['detect']);
    expect(reading.js.get('detect')!.cpuSeconds).toBeGreaterThan(0);
    // A process that loaded node and vitest has faulted in thousands of pages.
    expect(reading.js.get('detect')!.minorFaults).toBeGreaterThan(1000);
    expect(reading.os?.get('node')?.cpuSeconds).toBeGreaterThan(0);
  });

  it('splits a span into JS threads and the rest by name, without counting the JS threads twice under node', () => {
    // Each thread's faults are a thousand times its seconds here, so both splits can be checked against one answer.
    const usage = (m: Record<string, number>): Map<string, ThreadUsage> =>
      new Map(Object.entries(m).map(([name, s]) => [name, { cpuSeconds: s, minorFaults: s * 1000 }]));
    const span = threadCpuSpan(
      { js: usage({ main: 1, detect: 2 }), os: usage({ node: 10, MergeMutate: 1 }) },
      { js: usage({ main: 3, detect: 12, ingest: 4 }), os: usage({ node: 30, MergeMutate: 6, ThreadPool: 2 }) },
    );
    expect(span).toEqual({
      js: { detect: 10, ingest: 4, main: 2 },
      other: { MergeMutate: 5, node: 4, ThreadPool: 2 },
      faults: { js: { detect: 10_000, ingest: 4000, main: 2000 }, other: { MergeMutate: 5000, node: 4000, ThreadPool: 2000 } },
    });
    const lines = formatThreadCpu(span!, 10);
    expect(lines[0]).toContain('(2.70 cores)');
    expect(lines[2]).toBe('minor page faults by thread: JS threads: detect 10.0k, ingest 4.0k, main 2.0k; other: MergeMutate 5.0k, node 4.0k, ThreadPool 2.0k');
    expect(threadCpuSpan({ js: new Map(), os: null }, { js: usage({ main: 1 }), os: null })).toBeNull();
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
