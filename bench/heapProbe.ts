import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, available without starting node with
 * --expose-gc (so `tsx bench/runBench.ts` is enough): the flag is set at
 * run time and `gc` fetched from a fresh context, where V8 installs it.
 */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = collector();

/**
 * Memory in use after a full collection (twice: weak references and finalizers need a second pass): the V8 heap
 * plus ArrayBuffer backing stores. A typed array over 64 bytes keeps its payload outside the heap, so heapUsed alone
 * missed the detector's day rings (~4.2 KB a firm of Float64Array) and flattered the per-enterprise figure.
 */
export function settledHeapBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
