/**
 * What a fetched batch that does not start where a consumer expected it to
 * means. Offsets are Kafka offsets as bigint (the next offset to read for
 * `expected`, the first record's offset for `firstFetched`).
 *
 * A gap alone does not prove loss: compacted topics and transaction markers
 * leave offsets without records, and a member that kept a partition across a
 * rebalance continues from its in-memory position beyond a commit the
 * coordinator refused. Records were lost only when some of the skipped offsets
 * lie below the partition's log start, i.e. retention deleted them unread.
 */
export type OffsetGap =
  | { kind: 'none' }
  /** Offsets were skipped but are still (or never were) in the log: nothing was deleted unread. */
  | { kind: 'jump'; skipped: bigint }
  /** `lost` records between `expected` and the log start were deleted before anyone read them. */
  | { kind: 'loss'; lost: bigint; skipped: bigint };

/**
 * Classifies the gap between the expected next offset and the first fetched
 * offset, given the partition's log-start offset (kafkajs
 * `admin.fetchTopicOffsets` → `low`) read after the fetch. Read after, the log
 * start can only be later than at fetch time; a skipped range that this member
 * had processed before a refused commit and that retention deleted since would
 * still count as loss, an over-report we accept rather than miss real loss.
 */
export function classifyOffsetGap(gap: { expected: bigint; firstFetched: bigint; logStart: bigint }): OffsetGap {
  const { expected, firstFetched, logStart } = gap;
  if (firstFetched <= expected) return { kind: 'none' };
  const skipped = firstFetched - expected;
  if (logStart <= expected) return { kind: 'jump', skipped };
  // Only the deleted part counts: offsets between the log start and the batch are still readable.
  const deletedUpTo = logStart < firstFetched ? logStart : firstFetched;
  return { kind: 'loss', lost: deletedUpTo - expected, skipped };
}
