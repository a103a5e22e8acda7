/** A sink that records each write and lets the test decide when (and how) it finishes. */
export function slowSink<T>() {
  const writes: T[][] = [];
  const finishers: Array<(error?: Error) => void> = [];
  const write = (items: T[]) => {
    writes.push([...items]);
    return new Promise<void>((resolve, reject) => finishers.push((error) => (error ? reject(error) : resolve())));
  };
  return { writes, write, finish: (i: number, error?: Error) => finishers[i]!(error) };
}

/** Lets pending promise callbacks and zero-delay timers run. */
export const tick = () => new Promise((r) => setTimeout(r, 0));
