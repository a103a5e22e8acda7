import type { ClickHouseClient } from '@clickhouse/client';
import { ApiError } from './apiError.ts';
import { applyCaseChange, caseIdOf, openCase, type CaseChange, type CaseState } from './caseTransitions.ts';
import type { CaseStore } from './caseStore.ts';
import { findSignal } from './signalQueries.ts';

/**
 * Case commands: validate against the current state, store the next version,
 * then tell every open browser (`onChange` → SSE). Changes to one case are
 * serialised in this process so two stewards clicking at once get a clean
 * 409 instead of a lost update; across processes the version check (the
 * client sends the version it edited) does the same job, up to the
 * read-then-write window.
 */
export interface CaseService {
  open(input: { signalId: string; assignee?: string; notes?: string }): Promise<{ created: boolean; state: CaseState }>;
  change(caseId: string, expectedVersion: number, change: CaseChange): Promise<CaseState>;
}

export interface CaseServiceOptions {
  clickhouse: ClickHouseClient;
  store: CaseStore;
  now: () => number;
  onChange: (state: CaseState) => void;
  onClosed: (state: CaseState) => void;
}

export function createCaseService(opts: CaseServiceOptions): CaseService {
  const { store } = opts;
  const tails = new Map<string, Promise<unknown>>();
  /** Runs `work` after every earlier command on the same case. */
  const serialised = <T>(caseId: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(caseId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(caseId, tail);
    void tail.then(() => {
      if (tails.get(caseId) === tail) tails.delete(caseId);
    });
    return run;
  };

  return {
    open(input) {
      return serialised(caseIdOf(input.signalId), async () => {
        const existing = await store.get(caseIdOf(input.signalId));
        if (existing) return { created: false, state: existing };
        const signal = await findSignal(opts.clickhouse, input.signalId);
        if (!signal) throw new ApiError(404, 'SIGNAL_NOT_FOUND', 'no signal with this id');
        const state = openCase(signal, { assignee: input.assignee, notes: input.notes, now: opts.now() });
        await store.put(state);
        opts.onChange(state);
        return { created: true, state };
      });
    },
    change(caseId, expectedVersion, change) {
      return serialised(caseId, async () => {
        const current = await store.get(caseId);
        if (!current) throw new ApiError(404, 'CASE_NOT_FOUND', 'no case with this id');
        const result = applyCaseChange(current, change, expectedVersion, opts.now());
        switch (result.kind) {
          case 'conflict':
            throw new ApiError(409, 'VERSION_CONFLICT', 'the case changed since you loaded it; reload and try again', { current: result.current });
          case 'invalid':
            throw new ApiError(400, result.code, result.message);
          case 'unchanged':
            return result.current;
          case 'changed':
            await store.put(result.next);
            opts.onChange(result.next);
            if (result.closedNow) opts.onClosed(result.next);
            return result.next;
        }
      });
    },
  };
}
