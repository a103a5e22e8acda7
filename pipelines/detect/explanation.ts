import { DISTRICT_NAMES_ZH, districtOfCode } from '../../src/domain/district.ts';
import type { Severity } from '../../src/domain/signal.ts';
import { formatYuan } from './formatYuan.ts';
import type { LinkDirection } from './enterpriseState.ts';

/**
 * Texts a tax steward can act on (DOMAIN.md "What a good alert looks like"):
 * who, what broke, since when in working days, how sure, what to do next, in
 * yuan. They never mention holidays: the detectors count working days only.
 */
export interface Explanation {
  zh: string;
  en: string;
}

export interface PartyLabel {
  taxId: string;
  name: string;
  districtCode: string;
}

export type Flow = 'SALES' | 'PURCHASES';

export interface FlowDropFacts {
  enterprise: PartyLabel;
  flow: Flow;
  windowStart: string;
  windowEnd: string;
  windowDays: number;
  baselineDays: number;
  currentFen: number;
  baselineFen: number;
  severity: Severity;
  /** Rolling windows the baseline median was taken over, and how many of them were as low as now. */
  baselineWindows: number;
  windowsAsLow: number;
  /** The latest few working days, at this share of the baseline's daily rate. */
  recentDays: number;
  recentRatio: number;
}

export interface FlowRecoveredFacts {
  enterprise: PartyLabel;
  flow: Flow;
  since: string;
  day: string;
  windowDays: number;
  currentFen: number;
  baselineFen: number;
}

/** A drop that became the firm's level: the baseline of the latest 60 working days has absorbed it. */
export interface FlowNewLevelFacts extends FlowRecoveredFacts {
  /** The baseline now, over working days that lie mostly after the drop began. */
  levelFen: number;
}

export interface SilenceFacts {
  enterprise: PartyLabel;
  firstSilentDay: string;
  silentDays: number;
  activeDays: number;
  baseDays: number;
  expectedFen: number;
  severity: Severity;
}

export interface SilenceEndedFacts {
  enterprise: PartyLabel;
  firstSilentDay: string;
  day: string;
  silentDays: number;
  amountFen: number;
}

export interface LinkBrokenFacts {
  enterprise: PartyLabel;
  direction: LinkDirection;
  partner: PartyLabel;
  share: number;
  usualGapDays: number;
  invoiceDays: number;
  baselineDays: number;
  lastInvoiceDay: string;
  silentDays: number;
  baselineFen: number;
  severity: Severity;
}

export interface LinkRestoredFacts {
  enterprise: PartyLabel;
  direction: LinkDirection;
  partner: PartyLabel;
  lastInvoiceDay: string;
  day: string;
  silentDays: number;
  amountFen: number;
}

export interface VoidSpikeFacts {
  enterprise: PartyLabel;
  windowStart: string;
  windowEnd: string;
  windowDays: number;
  baselineDays: number;
  share: number;
  normShare: number;
  correctionCount: number;
  correctionFen: number;
  grossFen: number;
  severity: Severity;
}

export interface VoidSpikeEndedFacts {
  enterprise: PartyLabel;
  day: string;
  windowDays: number;
  share: number;
  normShare: number;
}

const SEVERITY_ZH: Readonly<Record<Severity, string>> = { HIGH: '高', MEDIUM: '中', LOW: '低' };

function districtZh(code: string): string {
  const d = districtOfCode(code);
  return d === null ? `区划${code}` : DISTRICT_NAMES_ZH[d];
}

function districtEn(code: string): string {
  const d = districtOfCode(code);
  return d === null ? `division ${code}` : d.charAt(0).toUpperCase() + d.slice(1);
}

function whoZh(p: PartyLabel): string {
  return `${districtZh(p.districtCode)} ${p.name}（${p.taxId}）`;
}

function whoEn(p: PartyLabel): string {
  return `${p.name} (${p.taxId}, ${districtEn(p.districtCode)})`;
}

/** A share as a percentage: one decimal below 10 %, whole percent above. */
export function formatPercent(share: number): string {
  const tenths = Math.round(share * 1000);
  return tenths < 100 ? `${(tenths / 10).toFixed(1)}%` : `${Math.round(share * 100)}%`;
}

function flowZh(flow: Flow): string {
  return flow === 'SALES' ? '销售额' : '采购额';
}

function flowEn(flow: Flow): string {
  return flow === 'SALES' ? 'sales' : 'purchases';
}

function confidenceZh(f: FlowDropFacts): string {
  return f.windowsAsLow === 0
    ? `低于此前全部${f.baselineWindows}个${f.windowDays}日滚动窗口`
    : `此前${f.baselineWindows}个${f.windowDays}日滚动窗口中仅${f.windowsAsLow}个同样低`;
}

function confidenceEn(f: FlowDropFacts): string {
  return f.windowsAsLow === 0
    ? `lower than all ${f.baselineWindows} earlier rolling ${f.windowDays}-working-day windows`
    : `only ${f.windowsAsLow} of ${f.baselineWindows} earlier rolling ${f.windowDays}-working-day windows were as low`;
}

export function explainFlowDrop(f: FlowDropFacts): Explanation {
  const ratio = f.baselineFen > 0 ? f.currentFen / f.baselineFen : 0;
  const nextZh = f.flow === 'SALES' ? '建议：联系企业核实订单流失情况，并查看候选买方。' : '建议：联系企业核实是否原料短缺或停产，并查看候选供应商。';
  const nextEn = f.flow === 'SALES' ? 'Next: ask the firm about lost orders and review candidate buyers.' : 'Next: ask the firm about material shortages or halted production and review candidate suppliers.';
  return {
    zh:
      `${whoZh(f.enterprise)}：近${f.windowDays}个工作日（${f.windowStart}至${f.windowEnd}）${flowZh(f.flow)}${formatYuan(f.currentFen)}，` +
      `仅为前${f.baselineDays}个工作日基线${formatYuan(f.baselineFen)}的${formatPercent(Math.max(0, ratio))}，` +
      `下降${formatPercent(Math.max(0, 1 - ratio))}；最近${f.recentDays}个工作日仅为常态的${formatPercent(Math.max(0, f.recentRatio))}；${confidenceZh(f)}。严重程度：${SEVERITY_ZH[f.severity]}。${nextZh}`,
    en:
      `${whoEn(f.enterprise)}: ${flowEn(f.flow)} over the last ${f.windowDays} working days (${f.windowStart} to ${f.windowEnd}) were ${formatYuan(f.currentFen)}, ` +
      `${formatPercent(Math.max(0, ratio))} of its ${f.baselineDays}-working-day baseline of ${formatYuan(f.baselineFen)} ` +
      `(down ${formatPercent(Math.max(0, 1 - ratio))}); the latest ${f.recentDays} working days ran at ${formatPercent(Math.max(0, f.recentRatio))} of the usual rate; ${confidenceEn(f)}. Severity ${f.severity}. ${nextEn}`,
  };
}

export function explainFlowRecovered(f: FlowRecoveredFacts): Explanation {
  const ratio = f.baselineFen > 0 ? f.currentFen / f.baselineFen : 0;
  return {
    zh:
      `${whoZh(f.enterprise)}：${flowZh(f.flow)}已恢复，截至${f.day}的近${f.windowDays}个工作日为${formatYuan(f.currentFen)}，` +
      `达到下降时基线${formatYuan(f.baselineFen)}的${formatPercent(ratio)}（下降始于${f.since}）。`,
    en:
      `${whoEn(f.enterprise)}: ${flowEn(f.flow)} recovered: ${formatYuan(f.currentFen)} over the ${f.windowDays} working days to ${f.day}, ` +
      `${formatPercent(ratio)} of the ${formatYuan(f.baselineFen)} baseline when the drop began (${f.since}).`,
  };
}

export function explainFlowNewLevel(f: FlowNewLevelFacts): Explanation {
  const ratio = f.baselineFen > 0 ? f.levelFen / f.baselineFen : 0;
  return {
    zh:
      `${whoZh(f.enterprise)}：${flowZh(f.flow)}自${f.since}下降后已稳定在新水平，截至${f.day}的近${f.windowDays}个工作日为${formatYuan(f.currentFen)}，` +
      `与近期基线${formatYuan(f.levelFen)}相当（为下降前基线${formatYuan(f.baselineFen)}的${formatPercent(ratio)}）。本次下降提示关闭；此后的下降将相对新水平判断。`,
    en:
      `${whoEn(f.enterprise)}: ${flowEn(f.flow)} have settled at a new level since the drop of ${f.since}: ${formatYuan(f.currentFen)} over the ` +
      `${f.windowDays} working days to ${f.day}, in line with the recent baseline of ${formatYuan(f.levelFen)} (${formatPercent(ratio)} of the ` +
      `${formatYuan(f.baselineFen)} before the drop). This alert is closed; a further drop is judged against the new level.`,
  };
}

export function explainSilence(f: SilenceFacts): Explanation {
  return {
    zh:
      `${whoZh(f.enterprise)}：自${f.firstSilentDay}起已连续${f.silentDays}个工作日未开具销售发票；` +
      `此前${f.baseDays}个工作日中有${f.activeDays}天开票，按常规同期应开票约${formatYuan(f.expectedFen)}。` +
      `严重程度：${SEVERITY_ZH[f.severity]}。建议：联系企业核实是否停产或经营异常，并关注其下游企业。`,
    en:
      `${whoEn(f.enterprise)}: no sales invoice for ${f.silentDays} working days since ${f.firstSilentDay}; ` +
      `it invoiced on ${f.activeDays} of the ${f.baseDays} working days before, about ${formatYuan(f.expectedFen)} would be usual for this span. ` +
      `Severity ${f.severity}. Next: ask the firm whether it has halted operations and watch its buyers.`,
  };
}

export function explainSilenceEnded(f: SilenceEndedFacts): Explanation {
  return {
    zh: `${whoZh(f.enterprise)}：${f.day}恢复开具销售发票（${formatYuan(f.amountFen)}），此前自${f.firstSilentDay}起停开${f.silentDays}个工作日。`,
    en: `${whoEn(f.enterprise)}: invoicing resumed on ${f.day} (${formatYuan(f.amountFen)}) after ${f.silentDays} silent working days since ${f.firstSilentDay}.`,
  };
}

export function explainLinkBroken(f: LinkBrokenFacts): Explanation {
  const up = f.direction === 'UPSTREAM';
  const times = f.usualGapDays > 0 ? f.silentDays / f.usualGapDays : 0;
  return {
    zh:
      `${whoZh(f.enterprise)}：${up ? '主要供应商' : '主要买方'}${whoZh(f.partner)}` +
      `（占其${up ? '采购' : '销售'}的${formatPercent(f.share)}，通常每${f.usualGapDays}个工作日开票一次）` +
      `自${f.lastInvoiceDay}后已${f.silentDays}个工作日${up ? '未向其开票' : '未从其购货'}，为通常间隔的${times.toFixed(1)}倍；` +
      `此前${f.baselineDays}个工作日中有${f.invoiceDays}天往来，合计${formatYuan(f.baselineFen)}。严重程度：${SEVERITY_ZH[f.severity]}。` +
      `建议：核实${up ? '供货中断原因，并查看候选供应商' : '订单中断原因，并查看候选买方'}。`,
    en:
      `${whoEn(f.enterprise)}: ${up ? 'purchases from its regular supplier' : 'sales to its regular buyer'} ${whoEn(f.partner)} ` +
      `(${formatPercent(f.share)} of its ${up ? 'inputs' : 'output'}, invoiced every ${f.usualGapDays} working days) ` +
      `stopped ${f.silentDays} working days ago after ${f.lastInvoiceDay}, ${times.toFixed(1)}× the usual gap; ` +
      `they traded on ${f.invoiceDays} of the ${f.baselineDays} working days before, ${formatYuan(f.baselineFen)} in total. Severity ${f.severity}. ` +
      `Next: ${up ? 'find out why supply stopped and review candidate suppliers' : 'find out why orders stopped and review candidate buyers'}.`,
  };
}

export function explainLinkRestored(f: LinkRestoredFacts): Explanation {
  const up = f.direction === 'UPSTREAM';
  return {
    zh:
      `${whoZh(f.enterprise)}：${up ? '供应商' : '买方'}${whoZh(f.partner)}于${f.day}恢复往来（${formatYuan(f.amountFen)}），` +
      `此前自${f.lastInvoiceDay}后中断${f.silentDays}个工作日。`,
    en:
      `${whoEn(f.enterprise)}: ${up ? 'supplier' : 'buyer'} ${whoEn(f.partner)} traded again on ${f.day} (${formatYuan(f.amountFen)}) ` +
      `after ${f.silentDays} silent working days since ${f.lastInvoiceDay}.`,
  };
}

export function explainVoidSpike(f: VoidSpikeFacts): Explanation {
  return {
    zh:
      `${whoZh(f.enterprise)}：近${f.windowDays}个工作日（${f.windowStart}至${f.windowEnd}）作废及红字发票${f.correctionCount}张，` +
      `合计${formatYuan(f.correctionFen)}，占同期开票${formatYuan(f.grossFen)}的${formatPercent(f.share)}，` +
      `而其前${f.baselineDays}个工作日的常态为${formatPercent(f.normShare)}。严重程度：${SEVERITY_ZH[f.severity]}。建议：核实是否订单被大量取消或退货。`,
    en:
      `${whoEn(f.enterprise)}: ${f.correctionCount} voided or red-letter invoices worth ${formatYuan(f.correctionFen)} over the last ${f.windowDays} working days ` +
      `(${f.windowStart} to ${f.windowEnd}), ${formatPercent(f.share)} of the ${formatYuan(f.grossFen)} it issued, against its own norm of ` +
      `${formatPercent(f.normShare)} over the ${f.baselineDays} working days before. Severity ${f.severity}. Next: check for cancelled orders or returns.`,
  };
}

export function explainVoidSpikeEnded(f: VoidSpikeEndedFacts): Explanation {
  return {
    zh: `${whoZh(f.enterprise)}：截至${f.day}的近${f.windowDays}个工作日作废及红字发票占比回落至${formatPercent(f.share)}（常态${formatPercent(f.normShare)}）。`,
    en: `${whoEn(f.enterprise)}: voided and red-letter share fell back to ${formatPercent(f.share)} over the ${f.windowDays} working days to ${f.day} (norm ${formatPercent(f.normShare)}).`,
  };
}
