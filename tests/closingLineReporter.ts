import type { Reporter } from 'vitest/reporters';
import type { RunnerTask, RunnerTestFile } from 'vitest';

/** Prints the plain closing line 'N passed, N failed, N skipped' that CI reads, after vitest's own summary. */
export default class ClosingLineReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const visit = (task: RunnerTask) => {
      if (task.type === 'suite') {
        for (const t of task.tasks) visit(t);
        return;
      }
      if (task.mode === 'skip' || task.mode === 'todo') skipped++;
      else if (task.result?.state === 'pass') passed++;
      else if (task.result?.state === 'fail') failed++;
    };
    for (const f of files) {
      for (const t of f.tasks) visit(t);
      // A file that failed to load has no tests but must count as a failure.
      if (f.result?.state === 'fail' && f.tasks.length === 0) failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
