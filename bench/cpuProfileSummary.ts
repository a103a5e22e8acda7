/**
 * Where a V8 CPU profile (`node --cpu-prof`) spends its time, per function
 * (by name and location): self time (the function's own code), and inclusive
 * time (the function and everything it called). Self time finds hot loops;
 * inclusive time finds the stage they belong to, which is what session 19
 * needed to see that the rows' JSON was a fifth of ingest's thread
 * (docs/performance.md). Pure.
 */
export interface ProfileNode {
  id: number;
  /** 0-based positions in the code V8 ran (for a file run under tsx, esbuild's output: see sourceLocator.ts). */
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  name: string;
  where: string;
  /** Self time, or inclusive time for `inclusiveTimes`. */
  ms: number;
  /** Of the profile's whole span for `hotspots`; of its busy (non-idle) time for `inclusiveTimes`. */
  share: number;
}

/** Names a function's place in the source from its 0-based position in the code V8 ran, e.g. `src/x.ts:12`. */
export type Locate = (url: string, line: number, column: number) => string;

const IDLE = '(idle)';

/** A profile URL relative to the repository's top folders. */
export function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|pipelines|src|sinks|schemas|bench|tests)\//, '$1/');
}

/** The position as V8 ran it: right for plain JavaScript, `:1` for every function of a file tsx compiled. */
export const compiledPosition: Locate = (url, line) => `${shortUrl(url)}:${line + 1}`;

/** A function's name, place, and the key its times (or bytes: heapProfileSummary.ts) are summed under. */
export interface Label {
  name: string;
  where: string;
  key: string;
}

/** The label of a profile's call frame, CPU or heap: the same function gets the same key in both. */
export function frameLabel(callFrame: ProfileNode['callFrame'], locate: Locate): Label {
  const { functionName, url, lineNumber, columnNumber } = callFrame;
  const name = functionName || '(anonymous)';
  const where = url === '' ? ':0' : locate(url, lineNumber, columnNumber ?? 0);
  return { name, where, key: `${name}@${where}` };
}

/** Each node's label, worked out once: a locator may be slow, and inclusive times ask for every frame of every sample. */
function labelsOf(profile: CpuProfile, locate: Locate): Map<number, Label> {
  const labels = new Map<number, Label>();
  for (const n of profile.nodes) labels.set(n.id, frameLabel(n.callFrame, locate));
  return labels;
}

function addTime(byKey: Map<string, Hotspot>, { name, where, key }: Label, ms: number): void {
  const h = byKey.get(key);
  if (h === undefined) byKey.set(key, { name, where, ms, share: 0 });
  else h.ms += ms;
}

function msPerHitOf(profile: CpuProfile): number {
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  return totalHits === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / totalHits;
}

function sortedWithShares(byKey: Map<string, Hotspot>, totalMs: number): Hotspot[] {
  const list = [...byKey.values()].sort((a, b) => b.ms - a.ms);
  for (const h of list) h.share = totalMs === 0 ? 0 : h.ms / totalMs;
  return list;
}

/** Self time per function, largest first; idle and GC are kept, as they say where time goes. */
export function hotspots(profile: CpuProfile, locate: Locate = compiledPosition): Hotspot[] {
  const msPerHit = msPerHitOf(profile);
  const labels = labelsOf(profile, locate);
  const byKey = new Map<string, Hotspot>();
  for (const n of profile.nodes) {
    if (n.hitCount) addTime(byKey, labels.get(n.id)!, n.hitCount * msPerHit);
  }
  return sortedWithShares(byKey, (profile.endTime - profile.startTime) / 1000);
}

/**
 * Inclusive time per function, largest first, as a share of the busy time: a
 * sample counts once for every function on its stack, once however often a
 * recursive function appears there. Idle samples are left out (a pipeline
 * thread waiting for work is not spending it).
 */
export function inclusiveTimes(profile: CpuProfile, locate: Locate = compiledPosition): Hotspot[] {
  const msPerHit = msPerHitOf(profile);
  const labels = labelsOf(profile, locate);
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const byKey = new Map<string, Hotspot>();
  let busyMs = 0;
  for (const n of profile.nodes) {
    if (!n.hitCount || n.callFrame.functionName === IDLE) continue;
    const ms = n.hitCount * msPerHit;
    busyMs += ms;
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parentOf.get(id)) {
      const label = labels.get(id);
      if (label === undefined) break;
      if (seen.has(label.key)) continue;
      seen.add(label.key);
      addTime(byKey, label, ms);
    }
  }
  return sortedWithShares(byKey, busyMs);
}
