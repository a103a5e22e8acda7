import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISTRICTS, type District } from '../domain/district.ts';
import type { InvoiceEvent } from '../domain/invoiceEvent.ts';
import type { ScenarioResult, ScenarioStream } from './simulateScenario.ts';

export interface ScenarioFiles {
  feeds: Record<District, string>;
  truth: string;
  firms: string;
}

/** Lines buffered per feed before a write, so millions of events do not mean millions of write calls. */
const BATCH_LINES = 2000;

/**
 * Writes `<dir>/<district>.jsonl` (one InvoiceEvent a line, in the feed's
 * arrival order), `<dir>/truth.json` (ground truth plus the delivery stats of
 * this pass) and `<dir>/firms.json`. A ScenarioStream is consumed lazily with
 * backpressure, so memory stays flat however long the scenario. Output is
 * byte-identical for the same seed and options. Rejects with the file system
 * error if a file cannot be written.
 */
export async function writeScenario(dir: string, scenario: ScenarioResult | ScenarioStream): Promise<ScenarioFiles> {
  await mkdir(dir, { recursive: true });
  const files: ScenarioFiles = {
    feeds: Object.fromEntries(DISTRICTS.map((d) => [d, join(dir, `${d}.jsonl`)])) as Record<District, string>,
    truth: join(dir, 'truth.json'),
    firms: join(dir, 'firms.json'),
  };
  const streams = Object.fromEntries(DISTRICTS.map((d) => [d, createWriteStream(files.feeds[d])])) as Record<District, WriteStream>;
  const failures: Error[] = [];
  for (const s of Object.values(streams)) s.on('error', (e) => failures.push(e));
  const buffers = Object.fromEntries(DISTRICTS.map((d) => [d, [] as string[]])) as Record<District, string[]>;

  const flush = async (feed: District): Promise<void> => {
    const lines = buffers[feed];
    if (lines.length === 0) return;
    buffers[feed] = [];
    if (!streams[feed].write(lines.join(''))) await once(streams[feed], 'drain');
  };
  const add = async (feed: District, event: InvoiceEvent): Promise<void> => {
    buffers[feed].push(JSON.stringify(event) + '\n');
    if (buffers[feed].length >= BATCH_LINES) await flush(feed);
    if (failures.length > 0) throw failures[0];
  };

  if ('arrivals' in scenario) {
    for (const a of scenario.arrivals()) await add(a.feed, a.event);
  } else {
    for (const d of DISTRICTS) for (const e of scenario.events[d]) await add(d, e);
  }
  for (const d of DISTRICTS) {
    await flush(d);
    streams[d].end();
    await once(streams[d], 'finish');
  }
  if (failures.length > 0) throw failures[0];

  await writeFile(files.truth, JSON.stringify({ ...scenario.truth, stats: scenario.stats }, null, 2) + '\n');
  await writeFile(files.firms, JSON.stringify(scenario.firms, null, 2) + '\n');
  return files;
}
