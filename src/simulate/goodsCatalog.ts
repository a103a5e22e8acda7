/**
 * Goods and services the simulated zone trades, with their tax classification
 * codes (商品和服务税收分类编码). Codes are 19 digits: a realistic category
 * prefix (first digit = class: 1 goods, 2 processing labour, 3 services) padded
 * with zeros, so the match service can compare flows by prefix.
 */
export interface GoodsItem {
  /** Stable identifier used by the industry catalog. */
  key: string;
  tax_code: string;
  /** `*类别简称*品名` */
  item_name: string;
  unit: string;
  /** Range a negotiated unit price is drawn from, in fen. */
  unit_price_fen: readonly [number, number];
  /** Rate a general taxpayer charges, basis points (small-scale taxpayers use their own rate). */
  rate_bp: number;
  /** Decimals of the quantity (tonnes to 3 places, pieces whole). */
  quantity_decimals: number;
}

function code(prefix: string): string {
  return prefix.padEnd(19, '0');
}

function goods(
  key: string,
  prefix: string,
  itemName: string,
  unit: string,
  priceYuan: readonly [number, number],
  rateBp: number,
  quantityDecimals = 0,
): GoodsItem {
  return {
    key,
    tax_code: code(prefix),
    item_name: itemName,
    unit,
    unit_price_fen: [Math.round(priceYuan[0] * 100), Math.round(priceYuan[1] * 100)],
    rate_bp: rateBp,
    quantity_decimals: quantityDecimals,
  };
}

const LIST: readonly GoodsItem[] = [
  // Raw materials and intermediate goods (13 %; logs and veneer are forest produce at 9 %).
  goods('polyester_chips', '1070203010', '*合成材料*聚酯切片', '吨', [6000, 7500], 1300, 3),
  goods('pe_sheath', '1070204020', '*塑料制品*PE护套料', '吨', [9000, 12000], 1300, 3),
  goods('urea_glue', '1070212010', '*化学试剂助剂*脲醛树脂胶', '吨', [2500, 3500], 1300, 3),
  goods('ink', '1070120030', '*化学产品*胶印油墨', '千克', [30, 80], 1300, 1),
  goods('dye', '1070119010', '*染料*分散染料', '千克', [40, 120], 1300, 1),
  goods('diesel', '1070101070', '*汽油柴油*0号柴油', '吨', [6000, 7000], 1300, 3),
  goods('polyester_filament', '1070601010', '*化学纤维*涤纶长丝', '吨', [7000, 9000], 1300, 3),
  goods('nylon_filament', '1070602010', '*化学纤维*锦纶长丝', '吨', [14000, 18000], 1300, 3),
  goods('copper_rod', '1080205010', '*有色金属*铜杆', '吨', [40000, 50000], 1300, 3),
  goods('copper_foil', '1080207020', '*有色金属*电解铜箔', '吨', [70000, 90000], 1300, 3),
  goods('brass_strip', '1080208010', '*有色金属*黄铜带', '吨', [45000, 55000], 1300, 3),
  goods('cold_rolled', '1080101030', '*钢材*冷轧钢板', '吨', [4500, 5500], 1300, 3),
  goods('stainless_bar', '1080105020', '*钢材*不锈钢棒', '吨', [14000, 18000], 1300, 3),
  goods('white_card', '1060101020', '*纸及纸板*白卡纸', '吨', [5000, 7000], 1300, 3),
  goods('corrugated', '1060201010', '*纸制品*瓦楞纸板', '平方米', [2, 5], 1300),
  goods('log', '1010501010', '*林业产品*杨木原木', '立方米', [1000, 1600], 900, 3),
  goods('veneer', '1050102010', '*木制品*杨木单板', '立方米', [1200, 1800], 1300, 3),
  goods('fibre_preform', '1091101010', '*光纤预制棒*光纤预制棒', '千克', [1500, 2500], 1300, 1),
  goods('ic', '1091005010', '*集成电路*控制芯片', '个', [2, 20], 1300),
  // Textiles and garments (Wujiang, Shengze).
  goods('grey_fabric', '1040201010', '*纺织产品*涤纶坯布', '米', [4, 8], 1300),
  goods('silk_fabric', '1040203020', '*纺织产品*真丝面料', '米', [60, 120], 1300),
  goods('dyed_fabric', '1040205010', '*纺织产品*印染布', '米', [8, 15], 1300),
  goods('shirt', '1040501030', '*服装*女式衬衫', '件', [40, 90], 1300),
  goods('dyeing_labour', '2010000000', '*加工劳务*印染加工', '米', [1.2, 2.5], 1300),
  // Cable, fibre, electronics.
  goods('optical_fibre', '1090904010', '*光纤*单模光纤', '芯公里', [40, 80], 1300, 1),
  goods('optical_cable', '1090903010', '*电线电缆*室外光缆', '千米', [800, 3000], 1300, 3),
  goods('power_cable', '1090902020', '*电线电缆*电力电缆', '米', [30, 200], 1300),
  goods('capacitor', '1091001010', '*电子元件*片式电容', '千只', [20, 60], 1300),
  goods('inductor', '1091002010', '*电子元件*电感器', '千只', [80, 200], 1300),
  goods('connector', '1091003020', '*电子元件*连接器', '个', [0.5, 3], 1300),
  goods('pcb', '1091004010', '*印刷电路板*多层线路板', '平方米', [600, 1500], 1300, 2),
  // Machinery.
  goods('elevator', '1090301010', '*电梯*乘客电梯', '台', [80000, 200000], 1300),
  goods('cnc_lathe', '1090201030', '*机床*数控车床', '台', [150000, 400000], 1300),
  goods('bearing', '1090401020', '*通用零部件*精密轴承', '套', [20, 200], 1300),
  goods('gear', '1090402010', '*通用零部件*齿轮', '个', [10, 80], 1300),
  // Wood (Jiashan).
  goods('plywood', '1050201010', '*木制品*胶合板', '张', [60, 150], 1300),
  goods('floor', '1050301020', '*木制品*实木复合地板', '平方米', [120, 300], 1300),
  // Hardware and printing (Qingpu).
  goods('zipper', '1090511010', '*五金制品*拉链', '条', [0.5, 3], 1300),
  goods('metal_button', '1090512010', '*五金制品*金属纽扣', '千个', [50, 150], 1300),
  goods('hinge', '1090513020', '*五金制品*不锈钢合页', '个', [2, 10], 1300),
  goods('printed_box', '1060301010', '*印刷品*包装彩盒', '个', [0.8, 5], 1300),
  goods('manual', '1060302010', '*印刷品*产品说明书', '份', [0.2, 1], 1300),
  goods('brochure', '1060303010', '*印刷品*宣传画册', '本', [5, 30], 1300),
  // Services (6 % modern services, 9 % transport).
  goods('express', '3040407010', '*物流辅助服务*收派服务', '票', [8, 20], 600),
  goods('freight', '3010102010', '*运输服务*陆路货物运输服务', '车次', [800, 3000], 900),
  goods('warehousing', '3040402010', '*物流辅助服务*仓储服务', '月', [8000, 40000], 600),
  goods('exhibition', '3040304010', '*文化创意服务*会议展览服务', '项', [20000, 300000], 600),
  goods('design', '3040302020', '*设计服务*展台设计', '项', [5000, 50000], 600),
  goods('software', '3040201010', '*信息技术服务*软件维护服务', '次', [2000, 30000], 600),
];

export type GoodsKey = string;

export const GOODS: ReadonlyMap<GoodsKey, GoodsItem> = new Map(LIST.map((g) => [g.key, g]));

/** Throws RangeError for a key the catalog lacks (a programming error in the industry catalog). */
export function goodsItem(key: GoodsKey): GoodsItem {
  const item = GOODS.get(key);
  if (!item) throw new RangeError(`unknown goods key: ${key}`);
  return item;
}
