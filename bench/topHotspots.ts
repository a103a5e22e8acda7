/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) into the functions with the
 * most self time, for the performance notes of issue 9.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/runBench.ts --only e2e
 *   npx tsx bench/topHotspots.ts /tmp/prof/CPU.*.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Self time per function (by name and location), largest first; idle and GC are kept, as they say where time goes. */
export function hotspots(profile: CpuProfile): Hotspot[] {
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const msPerHit = totalHits === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / totalHits;
  const byKey = new Map<string, Hotspot>();
  for (const n of profile.nodes) {
    if (!n.hitCount) continue;
    const where = `${n.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|pipelines|src|sinks|schemas|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    const name = n.callFrame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const h = byKey.get(key) ?? { name, where, selfMs: 0, share: 0 };
    h.selfMs += n.hitCount * msPerHit;
    byKey.set(key, h);
  }
  const list = [...byKey.values()].sort((a, b) => b.selfMs - a.selfMs);
  for (const h of list) h.share = totalHits === 0 ? 0 : h.selfMs / ((profile.endTime - profile.startTime) / 1000);
  return list;
}

const USAGE = 'usage: npx tsx bench/topHotspots.ts <file.cpuprofile> [top=25]\n  the functions of a V8 CPU profile (node --cpu-prof) with the most self time\n';

const [file, top] = process.argv.slice(2);
if (file === '--help' || file === '-h') {
  process.stdout.write(USAGE);
} else if (file === undefined || (top !== undefined && !(Number(top) > 0))) {
  process.stderr.write(USAGE);
  process.exitCode = 2;
} else {
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch (error) {
    process.stderr.write(`cannot read ${file} as a CPU profile: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const list = hotspots(profile);
  for (const h of list.slice(0, Number(top ?? 25))) {
    process.stdout.write(`${(h.share * 100).toFixed(1).padStart(5)} %  ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}\n`);
  }
}
