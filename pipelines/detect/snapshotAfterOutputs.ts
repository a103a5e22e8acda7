/**
 * Writes a partition's state snapshot only once every output it covers is
 * confirmed: `outputsWritten` is the confirmation of the partition's latest
 * output handed to the group writer, which writes in order and stops at its
 * first failure, so it settles after every earlier one. When an output write
 * failed the snapshot is never written and the returned promise rejects (with
 * GroupWriteFailedError for outputs gathered behind the failed write): a snapshot (and the commit that follows it) must not cover an
 * output that is not in the sinks.
 */
export async function snapshotAfterOutputs(outputsWritten: Promise<void>, writeSnapshot: () => Promise<void>): Promise<void> {
  await outputsWritten;
  await writeSnapshot();
}
