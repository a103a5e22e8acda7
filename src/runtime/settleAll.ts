/**
 * Runs independent writes side by side and, once every one has settled,
 * throws the first failure. Promise.all would reject while the others still
 * run, so a retry of the batch could race a write of its own failed attempt.
 */
export async function settleAll(writes: readonly Promise<unknown>[]): Promise<void> {
  for (const outcome of await Promise.allSettled(writes)) if (outcome.status === 'rejected') throw outcome.reason;
}
