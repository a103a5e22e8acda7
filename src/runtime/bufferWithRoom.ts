/**
 * `buf` when `more` bytes fit after its first `used`; otherwise a new buffer, its size doubled until they fit,
 * holding a copy of those `used` bytes. For writers that append into one reused buffer (the Kafka request
 * writer, JSON lines, detect's logged legs): doubling keeps the copies to about one per byte written.
 */
export function bufferWithRoom(buf: Buffer, used: number, more: number): Buffer {
  if (used + more <= buf.length) return buf;
  let size = Math.max(buf.length, 1) * 2;
  while (size < used + more) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, used);
  return next;
}
