import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../src/embedded/pipelineWorker.ts';

describe('node flags of pipeline worker threads', () => {
  it('keeps profiling and heap flags and drops the loader flags the entry replaces', () => {
    const parent = ['--require', '/x/tsx/dist/preflight.cjs', '--import', 'file:///x/tsx/dist/loader.mjs', '--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--max-old-space-size=4096'];
    expect(workerExecArgv(parent)).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--max-old-space-size=4096']);
  });

  it('drops a profile directory given as a separate argument rather than misreading its value', () => {
    expect(workerExecArgv(['--cpu-prof', '--cpu-prof-dir', '/tmp/prof'])).toEqual(['--cpu-prof']);
  });
});
