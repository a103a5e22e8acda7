/**
 * The largest `capacity` members of one index posting (a tax-code prefix in
 * one district bucket) by recent volume: a bounded heavy-hitters list, so the
 * candidates of a re-match are bounded whatever the number of firms in the
 * region. Volumes are snapshots taken when a member's own legs arrive; the
 * index refreshes them when event time enters a new month.
 */
export class TopVolumeList {
  readonly capacity: number;
  private readonly members = new Map<string, number>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.members.size;
  }

  has(taxId: string): boolean {
    return this.members.has(taxId);
  }

  /**
   * Records `taxId`'s current volume; a newcomer enters when there is room or
   * when it beats the smallest member (ties broken by tax ID, deterministic).
   * Returns the tax ID evicted to make room, if any.
   */
  offer(taxId: string, volumeFen: number): { entered: boolean; evicted: string | null } {
    if (this.members.has(taxId)) {
      this.members.set(taxId, volumeFen);
      return { entered: true, evicted: null };
    }
    if (volumeFen <= 0) return { entered: false, evicted: null };
    if (this.members.size < this.capacity) {
      this.members.set(taxId, volumeFen);
      return { entered: true, evicted: null };
    }
    let minId = '';
    let minVolume = Number.POSITIVE_INFINITY;
    for (const [id, v] of this.members) {
      if (v < minVolume || (v === minVolume && id > minId)) {
        minId = id;
        minVolume = v;
      }
    }
    if (volumeFen < minVolume || (volumeFen === minVolume && taxId > minId)) return { entered: false, evicted: null };
    this.members.delete(minId);
    this.members.set(taxId, volumeFen);
    return { entered: true, evicted: minId };
  }

  remove(taxId: string): void {
    this.members.delete(taxId);
  }

  taxIds(): IterableIterator<string> {
    return this.members.keys();
  }

  /** Replaces every snapshot with a fresh volume (members at zero leave the list). */
  refresh(volumeOf: (taxId: string) => number): void {
    for (const id of [...this.members.keys()]) {
      const v = volumeOf(id);
      if (v <= 0) this.members.delete(id);
      else this.members.set(id, v);
    }
  }
}
