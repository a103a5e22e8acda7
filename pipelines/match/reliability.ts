import type { ComponentScore } from './componentScore.ts';
import { clamp01 } from './componentScore.ts';

export interface ReliabilityFacts {
  /** Issued flow in the window, fen. */
  grossFen: number;
  /** Voided + red-letter amount in the window (positive), fen. */
  correctionsFen: number;
  /** Months of the window with trade in the needed direction. */
  activeMonths: number;
  windowMonths: number;
  /** An open VOID_SPIKE: cancelled orders right now. */
  voidSpikeOpen: boolean;
}

/** A correction share at or above this counts as fully unreliable. */
const WORST_CORRECTION_SHARE = 0.2;

/**
 * Reliability: a low void / red-letter rate and steady trade month after
 * month (60 % / 40 %); an open void spike halves it.
 */
export function reliability(f: ReliabilityFacts): ComponentScore {
  const share = f.grossFen > 0 ? f.correctionsFen / f.grossFen : 0;
  const stability = f.windowMonths > 0 ? clamp01(f.activeMonths / f.windowMonths) : 0;
  let value = 0.6 * (1 - clamp01(share / WORST_CORRECTION_SHARE)) + 0.4 * stability;
  if (f.voidSpikeOpen) value *= 0.5;
  const pct = (Math.round(share * 1000) / 10).toFixed(1);
  const reason = f.voidSpikeOpen
    ? { component: 'reliability' as const, zh: `作废/红冲激增中（${pct}%）`, en: `void and red-letter spike under way (${pct}%)` }
    : { component: 'reliability' as const, zh: `作废/红冲率 ${pct}%，近${f.windowMonths}个月中${f.activeMonths}个月有交易`, en: `void/red-letter rate ${pct}%, traded in ${f.activeMonths} of the last ${f.windowMonths} months` };
  return { value, reason };
}
