/** The three districts of the Yangtze Delta demonstration zone, each with its own invoice feed. */
export const DISTRICTS = ['qingpu', 'jiashan', 'wujiang'] as const;
export type District = (typeof DISTRICTS)[number];

/** Administrative division codes (GB/T 2260) of the zone's districts. */
export const DISTRICT_CODES: Readonly<Record<District, string>> = {
  qingpu: '310118',
  jiashan: '330421',
  wujiang: '320509',
};

export const DISTRICT_NAMES_ZH: Readonly<Record<District, string>> = {
  qingpu: '青浦',
  jiashan: '嘉善',
  wujiang: '吴江',
};

export function isDistrict(value: unknown): value is District {
  return typeof value === 'string' && (DISTRICTS as readonly string[]).includes(value);
}

/** The zone district a division code belongs to, or null for a firm outside the zone. */
export function districtOfCode(districtCode: string): District | null {
  for (const d of DISTRICTS) if (DISTRICT_CODES[d] === districtCode) return d;
  return null;
}

/** Kafka topic that carries one district's invoice feed. */
export function invoiceTopic(district: District): string {
  return `yunlian.invoices.${district}`;
}
