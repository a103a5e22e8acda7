/**
 * One string instance per distinct value among the strings detector state
 * keeps for long (party tax IDs, names, district codes, link keys). Every
 * decoded leg brings fresh copies of them; without interning each link held
 * its own copy of the partner's tax ID, name and key (and the timer wheel
 * another key), ~300 bytes a link in `npm run bench -- --only memory`.
 * Shared by all firms of a PartitionProcessor, so a party that trades with
 * fifty firms of the partition is stored once.
 *
 * Bounded by generations: `rotate()` (the runtime calls it every few weeks
 * of event time) starts a new generation, and a string not asked for since
 * the previous rotation is forgotten. State that still holds it keeps it;
 * only sharing with later copies is lost. Interning never changes a value,
 * so detection does not depend on it.
 */
export class StringInterner {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  /** The shared instance equal to `s`. */
  intern(s: string): string {
    const hit = this.current.get(s);
    if (hit !== undefined) return hit;
    const old = this.previous.get(s);
    const shared = old ?? s;
    this.current.set(shared, shared);
    return shared;
  }

  /** Starts a new generation: strings not interned since the last rotation are dropped at the next. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** Distinct strings held (both generations; a string in both counts twice). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
