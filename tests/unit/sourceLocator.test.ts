import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledPosition, hotspots, type CpuProfile } from '../../bench/cpuProfileSummary.ts';
import { createTsxLocator } from '../../bench/sourceLocator.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/profiledClosures.ts', import.meta.url));

/** 1-based line of the fixture carrying `marker`. */
function lineOf(marker: string): number {
  return readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
}

describe('profile positions of code run under tsx', () => {
  it('are taken back to the TypeScript line of each closure, where V8 reports line 1 for all of them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'yunlian-profile-'));
    try {
      const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', FIXTURE], { encoding: 'utf8' });
      expect(run.stdout, run.stderr).toBe('done\n');
      // The main thread's profile: the fixture runs nothing in tsx's loader thread.
      const profiles = readdirSync(dir).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
      const ours = (where: string) => where.includes('profiledClosures.ts');

      const located = profiles.flatMap((p) => hotspots(p, createTsxLocator())).filter((h) => ours(h.where) && h.name === '(anonymous)');
      // Each closure spins 400 ms; part of it counts to `spin`'s loop, more so while the first one is not yet optimised.
      for (const marker of ['closure: first', 'closure: second']) {
        const at = located.find((h) => h.where.endsWith(`:${lineOf(marker)}`));
        expect(at?.ms ?? 0, `${marker} at line ${lineOf(marker)}; got ${located.map((h) => `${h.where} ${h.ms.toFixed(0)} ms`).join(', ')}`).toBeGreaterThan(50);
      }

      // What the profile says by itself: one line for the whole file.
      const compiled = profiles.flatMap((p) => hotspots(p, compiledPosition)).filter((h) => ours(h.where));
      expect(new Set(compiled.map((h) => h.where))).toEqual(new Set([`${compiled[0]!.where.split(':')[0]}:1`]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
