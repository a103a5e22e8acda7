import { api, query } from './api.js';
import { clear, el } from './dom.js';
import { currentLang, formatInstant, onLangChange, t } from './i18n.js';
import { onLive } from './live.js';

// The live board: open signals newest first, filters, counts per district and type, updated from the SSE feed.
const DISTRICTS = ['qingpu', 'jiashan', 'wujiang', 'other'];
const TYPES = ['SALES_DROP', 'PURCHASE_DROP', 'SILENCE', 'UPSTREAM_BROKEN', 'DOWNSTREAM_BROKEN', 'VOID_SPIKE'];
const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW'];
const STATUSES = ['OPEN', 'RESOLVED'];
const PAGE = 50;

const state = { filters: { district: '', type: '', severity: '', status: 'OPEN', q: '' }, offset: 0, total: 0, signals: [], counts: null, outcomes: [] };
const form = () => document.getElementById('filters');

function fillSelect(select, values, labelOf) {
  const chosen = select.value;
  clear(select).append(el('option', { value: '', text: t('all') }), ...values.map((v) => el('option', { value: v, text: labelOf(v) })));
  select.value = chosen;
}

function renderFilters() {
  const f = form();
  fillSelect(f.elements.district, DISTRICTS, (d) => t('district' + d));
  fillSelect(f.elements.type, TYPES, (x) => t('type' + x));
  fillSelect(f.elements.severity, SEVERITIES, (s) => t('sev' + s));
  fillSelect(f.elements.status, STATUSES, (s) => t('status' + s));
  for (const [key, value] of Object.entries(state.filters)) f.elements[key].value = value;
}

function matchesFilters(signal) {
  const f = state.filters;
  if (f.district && signal.district !== f.district) return false;
  if (f.type && signal.signal_type !== f.type) return false;
  if (f.severity && signal.severity !== f.severity) return false;
  if (f.status && signal.status !== f.status) return false;
  if (f.q && !signal.enterprise_name.toLowerCase().includes(f.q.toLowerCase()) && !signal.enterprise_tax_id.includes(f.q.toUpperCase())) return false;
  return true;
}

export function caseBadge(c) {
  if (!c) return el('span', { class: 'badge muted', text: t('noCase') });
  const label = c.status === 'CLOSED' ? `${t('caseCLOSED')} · ${t('outcome' + c.outcome)}` : `${t('caseOPEN')}${c.assignee ? ' · ' + c.assignee : ''}`;
  return el('span', { class: `badge case-${c.status.toLowerCase()}`, text: label });
}

function signalRow(signal, fresh) {
  const explanation = currentLang() === 'zh' ? signal.explanation_zh : signal.explanation_en;
  return el('tr', { class: fresh ? 'fresh' : '', dataset: { signalId: signal.signal_id, renderedAt: String(Date.now()) } }, [
    el('td', { class: 'nowrap', text: formatInstant(signal.event_time_ms) }),
    el('td', {}, [el('a', { href: `#/enterprise/${encodeURIComponent(signal.enterprise_tax_id)}`, class: 'enterprise-link', text: signal.enterprise_name }), el('div', { class: 'tax-id', text: signal.enterprise_tax_id })]),
    el('td', { text: t('district' + signal.district) }),
    el('td', {}, el('span', { class: `badge type`, text: t('type' + signal.signal_type) })),
    el('td', {}, el('span', { class: `badge sev-${signal.severity.toLowerCase()}`, text: t('sev' + signal.severity) })),
    el('td', {}, el('span', { class: `badge status-${signal.status.toLowerCase()}`, text: t('status' + signal.status) })),
    el('td', { class: 'explanation', text: explanation }),
    el('td', {}, caseBadge(signal.case)),
  ]);
}

function renderRows(freshIds = new Set()) {
  const body = clear(document.getElementById('signal-rows'));
  if (state.signals.length === 0) body.append(el('tr', {}, el('td', { colspan: 8, class: 'empty', text: t('noSignals') })));
  for (const s of state.signals) body.append(signalRow(s, freshIds.has(s.signal_id)));
  const first = state.total === 0 ? 0 : state.offset + 1;
  document.getElementById('page-info').textContent = t('pageOf', first, Math.min(state.offset + state.signals.length, state.total), state.total);
  document.getElementById('prev').disabled = state.offset === 0;
  document.getElementById('next').disabled = state.offset + PAGE >= state.total;
}

function chip(label, n, onClick, active) {
  return el('button', { type: 'button', class: `chip${active ? ' active' : ''}`, onclick: onClick }, [label, el('b', { text: String(n) })]);
}

function renderCounts() {
  const box = clear(document.getElementById('counts'));
  const c = state.counts;
  if (!c) return;
  const pick = (key, value) => () => {
    state.filters[key] = state.filters[key] === value ? '' : value;
    renderFilters();
    void reload();
  };
  box.append(
    el('div', { class: 'count-group' }, [el('span', { class: 'count-title', text: `${t('total')} ${c.total}` })]),
    el('div', { class: 'count-group' }, [el('span', { class: 'count-title', text: t('byDistrict') }), ...DISTRICTS.filter((d) => c.byDistrict[d]).map((d) => chip(t('district' + d), c.byDistrict[d], pick('district', d), state.filters.district === d))]),
    el('div', { class: 'count-group' }, [el('span', { class: 'count-title', text: t('byType') }), ...TYPES.filter((x) => c.byType[x]).map((x) => chip(t('type' + x), c.byType[x], pick('type', x), state.filters.type === x))]),
  );
}

function renderOutcomes() {
  const box = clear(document.getElementById('outcomes'));
  if (state.outcomes.length === 0) return;
  box.append(
    el('h2', { text: t('falsePositives') }),
    el('ul', {}, state.outcomes.map((o) => el('li', { text: `${t('type' + o.signal_type)}: ${o.false_positives} / ${o.closed} (${Math.round((o.false_positive_rate ?? 0) * 100)}%)` }))),
  );
}

let countsTimer = null;
/** Counts change with every live event; one refetch per burst is enough. */
function refreshCountsSoon() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    const { district, type, severity, status, q } = state.filters;
    state.counts = await api('/api/signals/counts' + query({ status, severity, q, district, type }));
    renderCounts();
  }, 300);
}

export async function reload() {
  const f = state.filters;
  const [page, counts, outcomes] = await Promise.all([
    api('/api/signals' + query({ ...f, limit: PAGE, offset: state.offset })),
    api('/api/signals/counts' + query(f)),
    api('/api/cases/outcomes'),
  ]);
  state.signals = page.signals;
  state.total = page.total;
  state.counts = counts;
  state.outcomes = outcomes.by_signal_type;
  renderRows();
  renderCounts();
  renderOutcomes();
}

function onSignal({ data: signal }) {
  const index = state.signals.findIndex((s) => s.signal_id === signal.signal_id);
  const known = index >= 0 ? state.signals[index] : null;
  if (known) state.signals.splice(index, 1);
  if (matchesFilters(signal)) {
    if (state.offset === 0) {
      state.signals.unshift({ ...signal, case: known?.case ?? null });
      state.signals.sort((a, b) => b.event_time_ms - a.event_time_ms || a.signal_id.localeCompare(b.signal_id));
      state.signals.length = Math.min(state.signals.length, PAGE);
    }
    if (!known) state.total += 1;
  } else if (known) {
    state.total -= 1;
  }
  renderRows(new Set([signal.signal_id]));
  refreshCountsSoon();
}

function onCase({ data: c }) {
  const signal = state.signals.find((s) => s.signal_id === c.signal_id);
  if (signal) {
    signal.case = c;
    renderRows();
  }
  if (c.status === 'CLOSED') void api('/api/cases/outcomes').then((o) => {
    state.outcomes = o.by_signal_type;
    renderOutcomes();
  });
}

export function startBoard() {
  renderFilters();
  form().addEventListener('change', () => {
    const f = form();
    for (const key of Object.keys(state.filters)) state.filters[key] = f.elements[key].value.trim();
    state.offset = 0;
    void reload();
  });
  form().addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('prev').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE);
    void reload();
  });
  document.getElementById('next').addEventListener('click', () => {
    state.offset += PAGE;
    void reload();
  });
  onLive('signal', onSignal);
  onLive('case', onCase);
  onLive('reset', () => void reload());
  onLangChange(() => {
    renderFilters();
    renderRows();
    renderCounts();
    renderOutcomes();
  });
  return reload();
}
