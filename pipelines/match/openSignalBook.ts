import type { DisruptionSignal, DisruptionType } from '../../src/domain/signal.ts';

export type SignalChange = 'opened' | 'resolved' | 'unchanged';

/**
 * The open disruption signals of every enterprise, as the match service needs
 * them for exclusions (a candidate short on the same side), capacity (a
 * supplier whose sales dropped) and reliability (a void spike). Idempotent:
 * a redelivered OPEN after its RESOLVED does not reopen the episode.
 */
export class OpenSignalBook {
  private readonly byFirm = new Map<string, Map<string, DisruptionSignal>>();
  private readonly resolved = new Set<string>();

  apply(signal: DisruptionSignal): SignalChange {
    const firm = signal.enterprise_tax_id;
    if (signal.status === 'RESOLVED') {
      const open = this.byFirm.get(firm);
      const was = open?.delete(signal.signal_id) ?? false;
      if (open && open.size === 0) this.byFirm.delete(firm);
      const first = !this.resolved.has(signal.signal_id);
      this.resolved.add(signal.signal_id);
      return was || first ? 'resolved' : 'unchanged';
    }
    if (this.resolved.has(signal.signal_id)) return 'unchanged';
    let open = this.byFirm.get(firm);
    if (!open) this.byFirm.set(firm, (open = new Map()));
    if (open.has(signal.signal_id)) return 'unchanged';
    open.set(signal.signal_id, signal);
    return 'opened';
  }

  openTypesOf(taxId: string): ReadonlySet<DisruptionType> {
    const open = this.byFirm.get(taxId);
    const types = new Set<DisruptionType>();
    if (open) for (const s of open.values()) types.add(s.signal_type as DisruptionType);
    return types;
  }

  /** The earliest window_start (YYYY-MM-DD) among the firm's open signals of this type, or null (no allocation: called per partner while ranking). */
  openSince(taxId: string, type: DisruptionType): string | null {
    const open = this.byFirm.get(taxId);
    let since: string | null = null;
    if (open) for (const s of open.values()) if (s.signal_type === type && (since === null || s.window_start < since)) since = s.window_start;
    return since;
  }

  isResolved(signalId: string): boolean {
    return this.resolved.has(signalId);
  }

  openCount(): number {
    let n = 0;
    for (const m of this.byFirm.values()) n += m.size;
    return n;
  }
}
