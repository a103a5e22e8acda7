import type { District } from '../domain/district.ts';
import type { GoodsKey } from './goodsCatalog.ts';

/**
 * Industries of the simulated region (DOMAIN.md: Wujiang textiles, chemical
 * fibre, optical fibre and cable, electronics, machinery; Jiashan electronic
 * components, wood, precision machinery; Qingpu logistics, hardware,
 * printing, exhibitions) and of the partners around the zone (Suzhou,
 * Jiaxing, Shanghai) that supply raw materials or buy finished goods.
 */
export type Region = District | 'outside';

export interface Industry {
  key: string;
  /** The word a firm name carries, e.g. 电子 in 嘉善恒达电子有限公司. */
  name_word: string;
  /** Goods it can sell; a firm sells a subset. */
  sells: readonly GoodsKey[];
  /** Goods it buys, the main input first. */
  buys: readonly GoodsKey[];
  /** Relative frequency of the industry among a region's firms (absent = never there). */
  weight: Partial<Record<Region, number>>;
  /** Share of its sales spent on regular inputs. */
  input_ratio: number;
  /** Sells abroad too, so a lost overseas order shows as a sales collapse (the 2020 story). */
  exporter: boolean;
}

export const INDUSTRIES: readonly Industry[] = [
  { key: 'chemical_fibre', name_word: '化纤', sells: ['polyester_filament', 'nylon_filament'], buys: ['polyester_chips'],
    weight: { wujiang: 3, outside: 2 }, input_ratio: 0.7, exporter: false },
  { key: 'weaving', name_word: '纺织', sells: ['grey_fabric', 'silk_fabric'], buys: ['polyester_filament', 'nylon_filament', 'dyeing_labour'],
    weight: { wujiang: 5 }, input_ratio: 0.6, exporter: true },
  { key: 'dyeing', name_word: '印染', sells: ['dyed_fabric', 'dyeing_labour'], buys: ['grey_fabric', 'dye'],
    weight: { wujiang: 2 }, input_ratio: 0.55, exporter: false },
  { key: 'garment', name_word: '服饰', sells: ['shirt'], buys: ['dyed_fabric', 'silk_fabric', 'zipper', 'metal_button', 'printed_box'],
    weight: { wujiang: 2, jiashan: 1 }, input_ratio: 0.6, exporter: true },
  { key: 'optical_cable', name_word: '线缆', sells: ['optical_cable', 'power_cable'], buys: ['optical_fibre', 'copper_rod', 'pe_sheath'],
    weight: { wujiang: 3 }, input_ratio: 0.65, exporter: false },
  { key: 'optical_fibre', name_word: '光纤', sells: ['optical_fibre'], buys: ['fibre_preform'],
    weight: { wujiang: 1 }, input_ratio: 0.5, exporter: false },
  { key: 'electronics', name_word: '电子', sells: ['capacitor', 'inductor', 'connector', 'pcb'], buys: ['copper_foil', 'ic', 'brass_strip'],
    weight: { wujiang: 2, jiashan: 4 }, input_ratio: 0.55, exporter: true },
  { key: 'elevator', name_word: '电梯', sells: ['elevator'], buys: ['cold_rolled', 'bearing', 'gear', 'power_cable'],
    weight: { wujiang: 1 }, input_ratio: 0.6, exporter: false },
  { key: 'precision_machinery', name_word: '精密机械', sells: ['bearing', 'gear', 'cnc_lathe'], buys: ['stainless_bar', 'cold_rolled'],
    weight: { jiashan: 3, wujiang: 1 }, input_ratio: 0.5, exporter: true },
  { key: 'wood', name_word: '木业', sells: ['plywood', 'floor'], buys: ['log', 'veneer', 'urea_glue'],
    weight: { jiashan: 3 }, input_ratio: 0.6, exporter: true },
  { key: 'hardware', name_word: '五金', sells: ['zipper', 'metal_button', 'hinge'], buys: ['brass_strip', 'polyester_chips', 'stainless_bar'],
    weight: { qingpu: 4 }, input_ratio: 0.55, exporter: true },
  { key: 'printing', name_word: '印务', sells: ['printed_box', 'manual', 'brochure'], buys: ['white_card', 'corrugated', 'ink'],
    weight: { qingpu: 3 }, input_ratio: 0.5, exporter: false },
  { key: 'logistics', name_word: '物流', sells: ['express', 'freight', 'warehousing'], buys: ['diesel', 'corrugated'],
    weight: { qingpu: 3 }, input_ratio: 0.3, exporter: false },
  { key: 'exhibition', name_word: '会展', sells: ['exhibition', 'design'], buys: ['brochure', 'plywood', 'freight'],
    weight: { qingpu: 2 }, input_ratio: 0.35, exporter: false },
  // Partners outside the zone: raw-material suppliers…
  { key: 'petrochemical', name_word: '化工', sells: ['polyester_chips', 'pe_sheath', 'urea_glue', 'ink', 'dye', 'diesel'], buys: [],
    weight: { outside: 3 }, input_ratio: 0, exporter: false },
  { key: 'metals', name_word: '金属材料', sells: ['copper_rod', 'copper_foil', 'brass_strip', 'cold_rolled', 'stainless_bar'], buys: [],
    weight: { outside: 3 }, input_ratio: 0, exporter: false },
  { key: 'paper', name_word: '纸业', sells: ['white_card', 'corrugated'], buys: [],
    weight: { outside: 1.5 }, input_ratio: 0, exporter: false },
  { key: 'timber', name_word: '木材', sells: ['log', 'veneer'], buys: [],
    weight: { outside: 1.5 }, input_ratio: 0, exporter: false },
  { key: 'semiconductor', name_word: '微电子', sells: ['ic', 'fibre_preform'], buys: [],
    weight: { outside: 1.5 }, input_ratio: 0, exporter: false },
  { key: 'it_services', name_word: '信息技术', sells: ['software'], buys: [],
    weight: { outside: 1 }, input_ratio: 0, exporter: false },
  // …and buyers of finished goods.
  { key: 'trading', name_word: '进出口', sells: [], buys: ['zipper', 'shirt', 'floor', 'plywood', 'capacitor', 'connector', 'silk_fabric', 'dyed_fabric', 'hinge', 'grey_fabric', 'cnc_lathe', 'metal_button'],
    weight: { outside: 4 }, input_ratio: 0.9, exporter: true },
  { key: 'construction', name_word: '建设', sells: [], buys: ['elevator', 'power_cable', 'optical_cable', 'floor', 'plywood', 'hinge'],
    weight: { outside: 2 }, input_ratio: 0.6, exporter: false },
  { key: 'appliance', name_word: '电器', sells: [], buys: ['pcb', 'capacitor', 'inductor', 'connector', 'bearing', 'gear', 'printed_box', 'manual'],
    weight: { outside: 2.5 }, input_ratio: 0.6, exporter: false },
];

/** Services every firm buys now and then: the sporadic partners (never a broken link when they pause). */
export const SUNDRY_GOODS: readonly GoodsKey[] = ['express', 'freight', 'software', 'brochure', 'design', 'warehousing', 'printed_box'];

/** Division codes of the partner cities around the zone, with the place name a firm name starts with. */
export const OUTSIDE_DIVISIONS: readonly { code: string; place: string }[] = [
  { code: '320500', place: '苏州' },
  { code: '320505', place: '苏州' },
  { code: '320506', place: '苏州' },
  { code: '320583', place: '昆山' },
  { code: '320585', place: '太仓' },
  { code: '330400', place: '嘉兴' },
  { code: '330411', place: '嘉兴' },
  { code: '330481', place: '海宁' },
  { code: '330482', place: '平湖' },
  { code: '330483', place: '桐乡' },
  { code: '310115', place: '上海' },
  { code: '310112', place: '上海' },
  { code: '310117', place: '上海' },
  { code: '310114', place: '上海' },
];

/** Place a zone firm's name starts with (Qingpu firms carry the city name, as Shanghai firms do). */
export const ZONE_PLACE: Readonly<Record<District, string>> = {
  qingpu: '上海',
  jiashan: '嘉善',
  wujiang: '吴江',
};
