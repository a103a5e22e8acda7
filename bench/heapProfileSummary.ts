/**
 * Where a V8 sampling heap profile allocated, per function (by name and source line): the bytes sampled in each
 * function's own frames. With the objects scavenges collected kept in the profile (see detectSteadyState.ts),
 * that is every allocation, not only what was live at the end, which is all `node --heap-prof` shows. Pure.
 */
import { type Locate, type ProfileNode, compiledPosition, frameLabel } from './cpuProfileSummary.ts';

export interface HeapProfileNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapProfileNode[];
}

export interface AllocationSite {
  name: string;
  where: string;
  bytes: number;
  /** Of all bytes sampled. */
  share: number;
}

/** Sites by bytes allocated in their own frames, most first. */
export function allocationSites(head: HeapProfileNode, locate: Locate = compiledPosition): AllocationSite[] {
  const bytes = new Map<string, AllocationSite>();
  let total = 0;
  const stack = [head];
  while (stack.length > 0) {
    const n = stack.pop()!;
    stack.push(...n.children);
    if (n.selfSize === 0) continue;
    total += n.selfSize;
    const { name, where, key } = frameLabel(n.callFrame, locate);
    const site = bytes.get(key);
    if (site === undefined) bytes.set(key, { name, where, bytes: n.selfSize, share: 0 });
    else site.bytes += n.selfSize;
  }
  const sites = [...bytes.values()].sort((a, b) => b.bytes - a.bytes);
  for (const s of sites) s.share = total === 0 ? 0 : s.bytes / total;
  return sites;
}
