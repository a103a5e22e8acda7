// Chinese by default (the users are tax stewards in the zone), English on toggle; the choice is remembered.
const STRINGS = {
  zh: {
    title: '云链 · 供应链扰动预警',
    subtitle: '长三角生态绿色一体化发展示范区',
    live: '实时', reconnecting: '重连中…', offline: '已断开',
    readOnly: '只读', logout: '退出',
    filterDistrict: '区县', filterType: '类型', filterSeverity: '严重度', filterStatus: '状态', search: '企业名称或税号',
    all: '全部', byDistrict: '按区县', byType: '按类型', total: '合计',
    colTime: '事件时间', colEnterprise: '企业', colDistrict: '区县', colType: '类型', colSeverity: '严重度', colStatus: '状态', colExplanation: '说明', colCase: '案件',
    noSignals: '暂无符合条件的预警', prev: '上一页', next: '下一页', pageOf: (a, b, n) => `第 ${a}–${b} 条，共 ${n} 条`,
    back: '← 返回预警看板', taxId: '税号', signals: '预警信号', window: '窗口', baseline: '基线', current: '当前',
    chartTitle: '每日销售 / 采购与基线（工作日）', sales: '销售', purchases: '采购', salesBaseline: '销售基线', purchasesBaseline: '采购基线', openWindow: '扰动窗口',
    suppliers: '主要供应商', buyers: '主要客户', partner: '企业', share: '占比', amount: '金额', lastDay: '最近开票', broken: '断链', restored: '已恢复',
    matches: '推荐配对', matchesUnavailable: '配对服务尚未提供数据', noMatches: '暂无配对名单', needSUPPLIER: '需要供应商', needBUYER: '需要客户',
    listOPEN: '跟进中', listCLOSED: '已关闭', rank: '排名', score: '得分', reasons: '理由', converted: '已成交',
    cases: '案件跟进', openCase: '立案跟进', assignee: '税务管家', notes: '备注', save: '保存', outcome: '结论', closeCase: '结案', reopen: '重新打开',
    caseOPEN: '跟进中', caseCLOSED: '已结案', noCase: '未立案', version: '版本', conflict: '案件已被他人修改，已刷新',
    outcomeMATCHED: '配对成功', outcomeRECOVERED_ON_ITS_OWN: '自行恢复', outcomeNOT_A_DISRUPTION: '非真实扰动（误报）', chooseOutcome: '选择结论…',
    falsePositives: '误报统计', notFound: '未找到该企业', error: '出错了',
    typeSALES_DROP: '销售骤降', typePURCHASE_DROP: '采购骤降', typeSILENCE: '开票停滞', typeUPSTREAM_BROKEN: '上游断链', typeDOWNSTREAM_BROKEN: '下游断链', typeVOID_SPIKE: '作废红冲激增', typeRECOVERED: '已恢复', typeLINK_RESTORED: '链路恢复',
    sevHIGH: '高', sevMEDIUM: '中', sevLOW: '低', statusOPEN: '未解除', statusRESOLVED: '已解除',
    districtqingpu: '青浦', districtjiashan: '嘉善', districtwujiang: '吴江', districtother: '区外',
    login: '登录', token: '访问令牌', loginHint: '输入 yunlian up 打印的令牌（YUNLIAN_API_TOKEN）', badToken: '令牌无效',
  },
  en: {
    title: 'yunlian · supply-chain disruption alerts',
    subtitle: 'Yangtze River Delta Eco-Green Integration Demonstration Zone',
    live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline',
    readOnly: 'read-only', logout: 'Log out',
    filterDistrict: 'District', filterType: 'Type', filterSeverity: 'Severity', filterStatus: 'Status', search: 'Enterprise name or tax ID',
    all: 'All', byDistrict: 'By district', byType: 'By type', total: 'Total',
    colTime: 'Event time', colEnterprise: 'Enterprise', colDistrict: 'District', colType: 'Type', colSeverity: 'Severity', colStatus: 'Status', colExplanation: 'Explanation', colCase: 'Case',
    noSignals: 'No alerts match the filters', prev: 'Previous', next: 'Next', pageOf: (a, b, n) => `${a}–${b} of ${n}`,
    back: '← Back to the board', taxId: 'Tax ID', signals: 'Signals', window: 'Window', baseline: 'Baseline', current: 'Current',
    chartTitle: 'Daily sales / purchases against baseline (working days)', sales: 'Sales', purchases: 'Purchases', salesBaseline: 'Sales baseline', purchasesBaseline: 'Purchases baseline', openWindow: 'Disruption window',
    suppliers: 'Main suppliers', buyers: 'Main buyers', partner: 'Enterprise', share: 'Share', amount: 'Amount', lastDay: 'Last invoiced', broken: 'broken', restored: 'restored',
    matches: 'Suggested partners', matchesUnavailable: 'The match service has no data yet', noMatches: 'No match list yet', needSUPPLIER: 'needs suppliers', needBUYER: 'needs buyers',
    listOPEN: 'open', listCLOSED: 'closed', rank: 'Rank', score: 'Score', reasons: 'Reasons', converted: 'converted',
    cases: 'Cases', openCase: 'Open a case', assignee: 'Tax steward', notes: 'Notes', save: 'Save', outcome: 'Outcome', closeCase: 'Close case', reopen: 'Reopen',
    caseOPEN: 'in progress', caseCLOSED: 'closed', noCase: 'no case', version: 'version', conflict: 'Someone else changed the case; reloaded',
    outcomeMATCHED: 'Matched', outcomeRECOVERED_ON_ITS_OWN: 'Recovered on its own', outcomeNOT_A_DISRUPTION: 'Not a real disruption (false positive)', chooseOutcome: 'Choose an outcome…',
    falsePositives: 'False positives', notFound: 'Enterprise not found', error: 'Error',
    typeSALES_DROP: 'Sales drop', typePURCHASE_DROP: 'Purchase drop', typeSILENCE: 'Invoicing silence', typeUPSTREAM_BROKEN: 'Supplier link broken', typeDOWNSTREAM_BROKEN: 'Buyer link broken', typeVOID_SPIKE: 'Void spike', typeRECOVERED: 'Recovered', typeLINK_RESTORED: 'Link restored',
    sevHIGH: 'High', sevMEDIUM: 'Medium', sevLOW: 'Low', statusOPEN: 'Open', statusRESOLVED: 'Resolved',
    districtqingpu: 'Qingpu', districtjiashan: 'Jiashan', districtwujiang: 'Wujiang', districtother: 'Outside the zone',
    login: 'Log in', token: 'Access token', loginHint: 'Paste the token `yunlian up` printed (YUNLIAN_API_TOKEN)', badToken: 'Unknown token',
  },
};

let lang = localStorage.getItem('yunlian.lang') === 'en' ? 'en' : 'zh';
const listeners = new Set();

export function currentLang() {
  return lang;
}

export function t(key, ...args) {
  const value = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return typeof value === 'function' ? value(...args) : value;
}

/** Fills every element marked data-i18n (text) or data-i18n-placeholder. */
export function applyStaticText(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
}

export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('yunlian.lang', lang);
  applyStaticText();
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

/** Amounts arrive as integer fen; shown in yuan (万元 in Chinese for large ones). */
export function formatFen(fen) {
  const yuan = fen / 100;
  if (lang === 'zh' && Math.abs(yuan) >= 10_000) return `${(yuan / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 1 })} 万元`;
  return lang === 'zh' ? `${yuan.toLocaleString('zh-CN', { maximumFractionDigits: 0 })} 元` : `¥${yuan.toLocaleString('en', { maximumFractionDigits: 0 })}`;
}

const timeFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
/** Event times are shown in Shanghai time whatever the browser's zone. */
export function formatInstant(ms) {
  return timeFormat.format(new Date(ms));
}
