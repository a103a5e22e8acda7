import { describe, expect, it } from 'vitest';
import { EnterpriseWriteLog, LOG_LEGS_PER_LINK, MAX_LOG_LEGS, MAX_LOG_ROWS } from '../../pipelines/detect/enterpriseWriteLog.ts';
import { createEnterpriseState, linkKey, type EnterpriseState, type PartnerLink } from '../../pipelines/detect/enterpriseState.ts';
import type { EntryState } from '../../pipelines/detect/incrementalSnapshot.ts';
import { BUYER, FIRM, leg } from '../helpers/detectFixtures.ts';

/** A state with `links` partners: the write log looks at nothing else of it. */
function stateWithLinks(links: number): EnterpriseState {
  const state = createEnterpriseState(FIRM.taxId, FIRM.name, FIRM.districtCode);
  for (let i = 0; i < links; i++) {
    const partnerTaxId = `91310118MA1J${String(i).padStart(6, '0')}`;
    state.links.set(linkKey('DOWNSTREAM', partnerTaxId), { direction: 'DOWNSTREAM', partnerTaxId } as PartnerLink);
  }
  return state;
}

const BASE: EntryState = { kind: 'base', closes: 0, enterprise: {} as never, openedAtMs: {} };

/**
 * Snapshots of one enterprise, each after `legsPerRow` applied legs: the number of log rows between its first base
 * and the next one (the row that would not fit is written as that base).
 */
function rowsBetweenBases(state: EnterpriseState, legsPerRow: number): number {
  const log = new EnterpriseWriteLog();
  const take = () => log.take(0, 0, () => state, () => BASE)[0]!;
  log.created(state.taxId);
  expect(take().slot).toBeNull();
  for (let row = 0; row < 100_000; row++) {
    for (let i = 0; i < legsPerRow; i++) log.applied(state.taxId, leg({ partner: BUYER, role: 'SELLER', day: '2020-03-02', amountFen: 100, seq: row * legsPerRow + i }), null, 0);
    const entry = take();
    if (entry.slot === null) return row;
    expect(entry.slot).toBe(row);
  }
  throw new Error('no second base');
}

describe('the enterprise write log', () => {
  it('writes a firm of few links whole again after MAX_LOG_LEGS legs or MAX_LOG_ROWS rows', () => {
    expect(rowsBetweenBases(stateWithLinks(3), 10)).toBe(Math.floor(MAX_LOG_LEGS / 10));
    expect(rowsBetweenBases(stateWithLinks(3), 1)).toBe(MAX_LOG_ROWS);
  });

  it('lets the log of a firm of many links grow to about its base\'s weight before writing it whole again', () => {
    const links = 100;
    expect(LOG_LEGS_PER_LINK * links).toBeGreaterThan(MAX_LOG_LEGS);
    expect(rowsBetweenBases(stateWithLinks(links), 10)).toBe(Math.floor((LOG_LEGS_PER_LINK * links) / 10));
    expect(rowsBetweenBases(stateWithLinks(links), 1)).toBe(LOG_LEGS_PER_LINK * links);
  });
});
