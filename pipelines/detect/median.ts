/**
 * Median of the first `count` entries of `values`, which it sorts in place
 * (insertion sort: the callers pass at most a baseline's worth of values, and
 * this runs per link touch, so it must not allocate). The mean of the two
 * middle values for an even count. Throws RangeError when count is 0 or
 * exceeds the array.
 */
export function medianOf(values: Float64Array, count: number = values.length): number {
  if (count < 1 || count > values.length) throw new RangeError(`median of ${count} values`);
  for (let i = 1; i < count; i++) {
    const v = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > v) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = v;
  }
  const mid = count >> 1;
  const upper = values[mid] ?? 0;
  return count % 2 === 1 ? upper : ((values[mid - 1] ?? 0) + upper) / 2;
}
