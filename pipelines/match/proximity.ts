import { DISTRICT_NAMES_ZH, districtOfCode } from '../../src/domain/district.ts';
import type { ComponentScore } from './componentScore.ts';

const DISTRICT_NAMES_EN = { qingpu: 'Qingpu', jiashan: 'Jiashan', wujiang: 'Wujiang' } as const;

/**
 * Proximity (DESIGN.md section 5): the same district, then elsewhere in the
 * demonstration zone, then the same prefecture-level city (the first four
 * digits of the division code: Wujiang is in Suzhou 3205, Jiashan in Jiaxing
 * 3304, Qingpu in Shanghai 3101), then anywhere else.
 */
export function proximity(enterpriseDistrictCode: string, candidateDistrictCode: string): ComponentScore {
  const home = districtOfCode(enterpriseDistrictCode);
  const there = districtOfCode(candidateDistrictCode);
  if (there !== null && home === there) {
    return { value: 1, reason: { component: 'proximity', zh: `同在${DISTRICT_NAMES_ZH[there]}`, en: `in the same district (${DISTRICT_NAMES_EN[there]})` } };
  }
  if (there !== null && home !== null) {
    return { value: 0.7, reason: { component: 'proximity', zh: `同在示范区（${DISTRICT_NAMES_ZH[there]}）`, en: `inside the demonstration zone (${DISTRICT_NAMES_EN[there]})` } };
  }
  if (enterpriseDistrictCode.slice(0, 4) === candidateDistrictCode.slice(0, 4)) {
    return { value: 0.5, reason: { component: 'proximity', zh: `同城（行政区划 ${candidateDistrictCode}）`, en: `in the same city (division ${candidateDistrictCode})` } };
  }
  return { value: 0.3, reason: null };
}
