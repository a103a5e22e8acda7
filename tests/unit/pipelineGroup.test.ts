import { describe, expect, it } from 'vitest';
import { pipelineGroup } from '../../src/runtime/pipelineGroup.ts';
import { createLogger, type LogSink } from '../../src/runtime/log.ts';
import type { RunningPipeline } from '../../src/runtime/pipeline.ts';

/** Calls on the fake members, in order, across members. */
const trace: string[] = [];

/**
 * A RunningPipeline the test ends by hand: `finish()` ends it cleanly, `fail()` with a fatal error; stop() ends it
 * after `stopMs`. With `quiesce`, it can quiesce (after `quiesce.ms`, failing with `quiesce.error`).
 */
function fakePipeline(stopMs = 0, stopError: Error | null = null, quiesce?: { id: string; ms: number; error?: Error }) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Observed like a real pipeline's done, so the test sees only the group's rejections.
  done.then(undefined, () => undefined);
  const calls = { stops: 0, stopped: false };
  const pipeline: RunningPipeline = {
    name: 'detect',
    done,
    ...(quiesce && {
      async quiesce() {
        trace.push(`quiesce ${quiesce.id}`);
        await new Promise((r) => setTimeout(r, quiesce.ms));
        trace.push(`quiesced ${quiesce.id}`);
        if (quiesce.error) throw quiesce.error;
      },
    }),
    async stop() {
      if (quiesce) trace.push(`stop ${quiesce.id}`);
      calls.stops++;
      await new Promise((r) => setTimeout(r, stopMs));
      calls.stopped = true;
      finish();
      if (stopError) throw stopError;
    },
  };
  return { pipeline, finish: () => finish(), fail: (error: Error) => fail(error), calls };
}

const lines: string[] = [];
const sink: LogSink = { write: (line) => lines.push(line) };
const logger = createLogger('test', { level: 'warn', sink });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('pipelineGroup', () => {
  it('stops every member at once and resolves once all have stopped', async () => {
    const slow = fakePipeline(30);
    const fast = fakePipeline(0);
    const group = pipelineGroup('detect', [slow.pipeline, fast.pipeline], logger);
    const stopped = group.stop();
    await tick();
    expect(slow.calls.stops).toBe(1);
    expect(fast.calls.stops).toBe(1);
    await stopped;
    expect(slow.calls.stopped && fast.calls.stopped).toBe(true);
    await expect(group.done).resolves.toBeUndefined();
  });

  it('quiesces every member before it stops any, so they leave the group together', async () => {
    trace.length = 0;
    const slow = fakePipeline(0, null, { id: 'slow', ms: 30 });
    const fast = fakePipeline(0, null, { id: 'fast', ms: 0 });
    await pipelineGroup('detect', [slow.pipeline, fast.pipeline], logger).stop();
    expect(trace.slice(0, 2).sort()).toEqual(['quiesce fast', 'quiesce slow']);
    // The fast member waits for the slow one to quiesce before either stops.
    expect(trace.slice(2)).toEqual(['quiesced fast', 'quiesced slow', 'stop slow', 'stop fast']);
  });

  it('stops a member that failed to quiesce, and says so', async () => {
    trace.length = 0;
    lines.length = 0;
    const broken = fakePipeline(0, null, { id: 'broken', ms: 0, error: new Error('snapshot store unwritable') });
    const other = fakePipeline(0, null, { id: 'other', ms: 0 });
    await pipelineGroup('detect', [broken.pipeline, other.pipeline], logger).stop();
    expect(broken.calls.stopped && other.calls.stopped).toBe(true);
    expect(lines.some((l) => l.includes('did not quiesce') && l.includes('snapshot store unwritable'))).toBe(true);
  });

  it('resolves done only when every member has ended', async () => {
    const a = fakePipeline();
    const b = fakePipeline();
    const group = pipelineGroup('detect', [a.pipeline, b.pipeline], logger);
    let ended = false;
    void group.done.then(() => (ended = true));
    a.finish();
    await tick();
    expect(ended).toBe(false);
    b.finish();
    await tick();
    expect(ended).toBe(true);
  });

  it('rejects done with the first member failure while the others still run, and stops them', async () => {
    const failing = fakePipeline();
    const other = fakePipeline(20);
    const group = pipelineGroup('detect', [failing.pipeline, other.pipeline], logger);
    failing.fail(new Error('ClickHouse rejected the query: UNKNOWN_TABLE'));
    await expect(group.done).rejects.toThrow('UNKNOWN_TABLE');
    expect(other.calls.stopped).toBe(false);
    expect(other.calls.stops).toBe(1);
    expect(failing.calls.stops).toBe(0);
    await group.stop();
    expect(other.calls.stops).toBe(1);
    expect(other.calls.stopped).toBe(true);
    expect(lines.some((l) => l.includes('stopping the others'))).toBe(true);
  });

  it('reports a member that did not stop cleanly after every member has stopped', async () => {
    const broken = fakePipeline(0, new Error('the detect worker thread did not stop within 60000 ms'));
    const slow = fakePipeline(30);
    const group = pipelineGroup('detect', [broken.pipeline, slow.pipeline], logger);
    await expect(group.stop()).rejects.toThrow('did not stop');
    expect(slow.calls.stopped).toBe(true);
  });

  it('refuses a group without members', () => {
    expect(() => pipelineGroup('detect', [], logger)).toThrow(RangeError);
  });
});
