import type { District } from './district.ts';

export const SIGNAL_TYPES = [
  'SALES_DROP',
  'PURCHASE_DROP',
  'SILENCE',
  'UPSTREAM_BROKEN',
  'DOWNSTREAM_BROKEN',
  'VOID_SPIKE',
  'RECOVERED',
  'LINK_RESTORED',
] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** The types that open a disruption; RECOVERED / LINK_RESTORED only appear as the type of a resolution. */
export type DisruptionType = Exclude<SignalType, 'RECOVERED' | 'LINK_RESTORED'>;
export const DISRUPTION_TYPES: readonly DisruptionType[] = SIGNAL_TYPES.filter((t): t is DisruptionType => t !== 'RECOVERED' && t !== 'LINK_RESTORED');

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH';
export type SignalStatus = 'OPEN' | 'RESOLVED';

/** DESIGN.md section 4. Dates are YYYY-MM-DD (Asia/Shanghai), instants epoch ms. */
export interface DisruptionSignal {
  /** Deterministic: hash of enterprise, type, partner and the window start of the episode. */
  signal_id: string;
  enterprise_tax_id: string;
  enterprise_name: string;
  /** Home district of the enterprise, or 'other' for firms outside the zone. */
  district: District | 'other';
  signal_type: SignalType;
  partner_tax_id: string | null;
  severity: Severity;
  status: SignalStatus;
  /** Set on the RESOLVED state: RECOVERED for firm-level signals, LINK_RESTORED for broken links. */
  resolution: 'RECOVERED' | 'LINK_RESTORED' | null;
  window_start: string;
  window_end: string;
  /** Event-time instant at which the signal fired (epoch ms). */
  event_time_ms: number;
  baseline_fen: number;
  current_fen: number;
  explanation_zh: string;
  explanation_en: string;
  /** Wall-clock instant the runtime emitted it (epoch ms); not part of the identity. */
  detected_at_ms: number;
}
