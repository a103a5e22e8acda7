import { describe, expect, it } from 'vitest';
import { settleAll } from '../../src/runtime/settleAll.ts';

describe('settleAll', () => {
  it('reports the first failure only after every write has settled', async () => {
    let slowFinished = false;
    const slow = new Promise<void>((resolve) => setTimeout(() => ((slowFinished = true), resolve()), 20));
    const error = await settleAll([Promise.reject(new Error('insert refused')), slow, Promise.reject(new Error('later'))]).catch((e: unknown) => e);
    expect(error).toEqual(new Error('insert refused'));
    expect(slowFinished).toBe(true);
  });

  it('resolves when every write succeeded', async () => {
    await expect(settleAll([Promise.resolve(1), Promise.resolve()])).resolves.toBeUndefined();
  });
});
