/**
 * What a minor page fault costs on this machine: the price of every fresh page a pipeline thread touches
 * (a young generation growing, V8 pages coming back from its pool, new buffers). On bare metal it is well under
 * a microsecond; on the PVM guests yunlian was measured on, with shadowed page tables, 12–15 µs
 * (docs/performance.md, "Sessions 24–27"), enough to make a thread's faults a visible share of its CPU.
 *
 *   npx tsx bench/pageFaultCost.ts [--mib 512] [--rounds 3]
 *
 * Each round writes one byte in every 4 KiB page of a fresh zeroed buffer (calloc'd: mapped, not yet touched),
 * then the same pages again, and prints the faults the first pass took and its time per fault. The second pass
 * is the loop's own cost, which the first pass's figure includes.
 */
import { currentThreadUsage } from '../src/runtime/threadCpu.ts';

const PAGE = 4096;
const USAGE = 'usage: npx tsx bench/pageFaultCost.ts [--mib N] [--rounds N]  (positive integers; defaults 512 and 3)';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(USAGE);
    process.exit(2);
  }
  return value;
}

function touchEveryPage(bytes: Uint8Array, value: number): number {
  const started = performance.now();
  for (let i = 0; i < bytes.length; i += PAGE) bytes[i] = value;
  return performance.now() - started;
}

if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
if (currentThreadUsage() === null) {
  console.error('pageFaultCost: needs Linux /proc/thread-self/stat to count faults');
  process.exit(1);
}
const mib = option('--mib', 512);
const rounds = option('--rounds', 3);
for (let round = 1; round <= rounds; round++) {
  const bytes = new Uint8Array(mib * 1024 * 1024);
  const before = currentThreadUsage()!;
  const firstMs = touchEveryPage(bytes, 1);
  const after = currentThreadUsage()!;
  const againMs = touchEveryPage(bytes, 2);
  const faults = after.minorFaults - before.minorFaults;
  const perFault = faults > 0 ? `${((firstMs * 1000) / faults).toFixed(2)} µs a fault` : 'no faults (pages reused)';
  console.log(
    `round ${round}: ${faults} faults over ${mib} MiB in ${firstMs.toFixed(0)} ms, ${perFault}; ` +
      `CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s; touching the same pages again ${againMs.toFixed(1)} ms`,
  );
}
