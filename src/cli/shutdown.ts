/**
 * Resolves with 'signal' on the first SIGINT/SIGTERM, or with 'finished' /
 * 'failed' when `work` ends first. A second signal exits at once.
 */
export function untilShutdownSignal(work: Promise<unknown>): Promise<'signal' | 'finished' | 'failed'> {
  return new Promise((resolve) => {
    const force = () => process.exit(130);
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      process.stderr.write('\nshutting down (finishing the current batch; Ctrl-C again to force)…\n');
      resolve('signal');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    work.then(
      () => resolve('finished'),
      () => resolve('failed'),
    );
  });
}
