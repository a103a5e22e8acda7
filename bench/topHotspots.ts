/**
 * Prints where a V8 CPU profile (`node --cpu-prof`) spends its time, for the
 * performance notes of issue 9 (see cpuProfileSummary.ts).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/runBench.ts --only e2e
 *   npx tsx bench/topHotspots.ts /tmp/prof/CPU.*.cpuprofile [top=25] [--inclusive] [--match <regex>]
 *
 * One summary per file: node writes a profile per thread, workers included.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hotspots, inclusiveTimes, type CpuProfile } from './cpuProfileSummary.ts';
import { createTsxLocator } from './sourceLocator.ts';

const USAGE = `usage: npx tsx bench/topHotspots.ts <file.cpuprofile>... [top=25] [--inclusive] [--match <regex>]
  the functions of a V8 CPU profile (node --cpu-prof) with the most self time, or with --inclusive the most
  time including what they called (a share of the thread's busy time); --match keeps the functions whose
  name or location matches. Functions of TypeScript files run under tsx are placed at their source line.
`;

function fail(message: string, code: number): void {
  process.stderr.write(message);
  process.exitCode = code;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { inclusive: { type: 'boolean' }, match: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const counts = positionals.filter((p) => /^\d+$/.test(p));
  const files = positionals.filter((p) => !/^\d+$/.test(p));
  const top = Number(counts[0] ?? 25);
  if (files.length === 0 || counts.length > 1 || !(top > 0)) return fail(USAGE, 2);
  let match: RegExp | null = null;
  try {
    match = values.match === undefined ? null : new RegExp(values.match);
  } catch (error) {
    return fail(`--match: ${(error as Error).message}\n`, 2);
  }
  const locate = createTsxLocator();
  for (const file of files) {
    let profile: CpuProfile;
    try {
      profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    } catch (error) {
      fail(`cannot read ${file} as a CPU profile: ${(error as Error).message}\n`, 1);
      continue;
    }
    if (files.length > 1) process.stdout.write(`== ${file}\n`);
    const list = (values.inclusive ? inclusiveTimes(profile, locate) : hotspots(profile, locate)).filter((h) => match === null || match.test(`${h.name} ${h.where}`));
    for (const h of list.slice(0, top)) {
      process.stdout.write(`${(h.share * 100).toFixed(1).padStart(5)} %  ${h.ms.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}\n`);
    }
  }
}

main();
