import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and page faults of this process's OS threads, from Linux's /proc:
 * which thread a pipeline's time goes to (the process total hides that detect
 * saturates one core while ingest idles). Elsewhere there is no /proc: the functions return
 * null and callers leave the figure out.
 */

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on every Linux ABI node runs on). */
const TICKS_PER_SECOND = 100;

/** What /proc says a thread has used so far. */
export interface ThreadUsage {
  /** user + system seconds. */
  cpuSeconds: number;
  /**
   * Page faults served without I/O: a fresh page touched for the first time, mostly. On a VM with shadow paging
   * each costs microseconds (about 12 µs on the PVM guests this was measured on, docs/performance.md), so a thread
   * that keeps mapping fresh memory pays in CPU seconds a profile spreads over whatever touched the pages.
   */
  minorFaults: number;
}

/** The usage in the text of a /proc/…/stat file; the name (field 2) may hold spaces and parentheses. */
export function statUsage(stat: string): ThreadUsage {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, minflt field 10, utime field 14, stime field 15.
  const minorFaults = Number(fields[7]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || !Number.isFinite(minorFaults)) throw new RangeError(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, minorFaults };
}

/** The thread's name (`comm`, field 2) in the text of a /proc/…/stat file: between the first '(' and the last ')'. */
export function statThreadName(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/** What the calling thread (main or a worker) has used; null without /proc. */
export function currentThreadUsage(): ThreadUsage | null {
  try {
    return statUsage(readFileSync('/proc/thread-self/stat', 'utf8'));
  } catch {
    // No /proc (not Linux), or a kernel without thread-self (before 3.17).
    return null;
  }
}

/**
 * The usage of every thread of this process, summed by thread name (`comm`: chDB names its pools, e.g.
 * MergeMutate; node's JS, libuv and V8 threads are all `node`); null without /proc. Threads that exited are
 * not counted.
 */
export function processThreadUsageByName(): Map<string, ThreadUsage> | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const byName = new Map<string, ThreadUsage>();
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      // The thread exited between the listing and the read.
      continue;
    }
    const name = statThreadName(stat);
    const usage = statUsage(stat);
    const held = byName.get(name);
    byName.set(name, held === undefined ? usage : { cpuSeconds: held.cpuSeconds + usage.cpuSeconds, minorFaults: held.minorFaults + usage.minorFaults });
  }
  return byName;
}
