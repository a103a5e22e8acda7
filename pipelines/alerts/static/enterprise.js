import { api, ApiFailure } from './api.js';
import { clear, el } from './dom.js';
import { dailyChart } from './chart.js';
import { casesSection } from './cases.js';
import { currentLang, formatFen, formatInstant, t } from './i18n.js';
import { onLive } from './live.js';

// The enterprise page: what broke and since when (signals with explanations), the flow against its baseline,
// which suppliers and buyers the firm depends on (broken links marked), suggested partners, and the cases.
let view = null; // { taxId, detail, matches, cases }
let unsubscribe = [];

function signalsPanel(signals) {
  const lang = currentLang();
  return el('section', { class: 'panel' }, [
    el('h2', { text: t('signals') }),
    el('ul', { class: 'signal-list' }, signals.map((s) =>
      el('li', { class: `signal-item status-${s.status.toLowerCase()}`, dataset: { signalId: s.signal_id } }, [
        el('div', { class: 'signal-head' }, [
          el('span', { class: 'badge type', text: t('type' + s.signal_type) }),
          el('span', { class: `badge sev-${s.severity.toLowerCase()}`, text: t('sev' + s.severity) }),
          el('span', { class: `badge status-${s.status.toLowerCase()}`, text: t('status' + s.status) }),
          el('span', { class: 'muted', text: `${t('window')} ${s.window_start} – ${s.window_end} · ${formatInstant(s.event_time_ms)}` }),
        ]),
        el('p', { class: 'explanation', text: lang === 'zh' ? s.explanation_zh : s.explanation_en }),
        el('p', { class: 'muted', text: `${t('baseline')} ${formatFen(s.baseline_fen)} → ${t('current')} ${formatFen(s.current_fen)}` }),
      ]),
    )),
  ]);
}

function partnersPanel(title, partners, testid) {
  const rows = partners.map((p) =>
    el('tr', { class: p.broken ? `broken ${p.broken.status.toLowerCase()}` : '' }, [
      el('td', {}, [el('a', { href: `#/enterprise/${encodeURIComponent(p.partner_tax_id)}`, text: p.name ?? p.partner_tax_id }), p.name ? el('div', { class: 'tax-id', text: p.partner_tax_id }) : null]),
      el('td', { class: 'num', text: `${(p.share * 100).toFixed(1)}%` }),
      el('td', { class: 'num', text: formatFen(p.amount_fen) }),
      el('td', { text: p.last_day }),
      el('td', {}, p.broken ? el('span', { class: `badge ${p.broken.status === 'OPEN' ? 'sev-high' : 'muted'}`, text: `${p.broken.status === 'OPEN' ? t('broken') : t('restored')} · ${p.broken.since}` }) : null),
    ]),
  );
  return el('section', { class: 'panel', dataset: { testid } }, [
    el('h2', { text: title }),
    el('table', { class: 'partners' }, [
      el('thead', {}, el('tr', {}, [t('partner'), t('share'), t('amount'), t('lastDay'), ''].map((h) => el('th', { text: h })))),
      el('tbody', {}, rows.length > 0 ? rows : el('tr', {}, el('td', { colspan: 5, class: 'empty', text: '—' }))),
    ]),
  ]);
}

function matchesPanel(matches) {
  const box = el('section', { class: 'panel', dataset: { testid: 'matches' } }, [el('h2', { text: t('matches') })]);
  if (!matches.available) return box.append(el('p', { class: 'muted', text: t('matchesUnavailable') })), box;
  if (matches.lists.length === 0) return box.append(el('p', { class: 'muted', text: t('noMatches') })), box;
  const zh = currentLang() === 'zh';
  for (const list of matches.lists) {
    const head = [list.need ? t('need' + list.need) : '', list.status ? t('list' + list.status) : '', list.converted_at ? `${t('converted')} ${list.converted_at}` : ''].filter(Boolean).join(' · ');
    box.append(
      el('h3', { text: head }),
      list.candidates.length === 0 ? el('p', { class: 'muted', text: t('noMatches') }) : null,
      el('ol', { class: 'candidates' }, list.candidates.map((c) => {
        const reasons = zh && c.reasons_zh.length > 0 ? c.reasons_zh : c.reasons;
        return el('li', {}, [
          el('a', { href: `#/enterprise/${encodeURIComponent(c.tax_id)}`, text: c.name ?? c.tax_id }),
          c.district ? el('span', { class: 'muted', text: ` · ${t('district' + c.district)}` }) : null,
          c.score !== null ? el('span', { class: 'muted', text: ` · ${t('score')} ${c.score.toFixed(2)}` }) : null,
          c.converted_at ? el('span', { class: 'badge case-closed', text: `${t('converted')} ${c.converted_at}` }) : null,
          reasons.length > 0 ? el('ul', { class: 'reasons' }, reasons.map((r) => el('li', { text: r }))) : null,
        ]);
      })),
    );
  }
  return box;
}

let casePanel = null;

function render(root, canWrite) {
  const { detail, matches } = view;
  clear(root);
  casePanel = casesSection(detail.signals, view.cases, {
    canWrite,
    // Keeps the page state current so a re-render (language toggle) shows the latest case versions.
    onCase: (state) => (view.cases = [...view.cases.filter((c) => c.case_id !== state.case_id), state]),
  });
  root.append(
    el('a', { href: '#/', class: 'back', text: t('back') }),
    el('header', { class: 'enterprise-head' }, [
      el('h2', { dataset: { testid: 'enterprise-name' }, text: detail.name ?? detail.tax_id }),
      el('span', { class: 'tax-id', text: `${t('taxId')} ${detail.tax_id}` }),
      detail.district ? el('span', { class: 'badge', text: t('district' + detail.district) }) : null,
    ]),
    el('section', { class: 'panel' }, dailyChart(detail.daily, detail.signals)),
    el('div', { class: 'columns' }, [signalsPanel(detail.signals), casePanel.node]),
    el('div', { class: 'columns' }, [partnersPanel(t('suppliers'), detail.suppliers, 'suppliers'), partnersPanel(t('buyers'), detail.buyers, 'buyers')]),
    matchesPanel(matches),
  );
}

async function load(taxId) {
  const [detail, matches] = await Promise.all([api(`/api/enterprises/${encodeURIComponent(taxId)}`), api(`/api/enterprises/${encodeURIComponent(taxId)}/matches`)]);
  return { taxId, detail, matches, cases: detail.cases };
}

export async function showEnterprise(root, taxId, canWrite) {
  for (const off of unsubscribe) off();
  clear(root).append(el('p', { class: 'muted', text: '…' }));
  try {
    view = await load(taxId);
  } catch (error) {
    clear(root).append(el('a', { href: '#/', class: 'back', text: t('back') }), el('p', { class: 'error', text: error instanceof ApiFailure && error.status === 404 ? t('notFound') : `${t('error')}: ${error.message}` }));
    return;
  }
  render(root, canWrite);
  const reload = async () => {
    if (view?.taxId !== taxId) return;
    view = await load(taxId);
    render(root, canWrite);
  };
  unsubscribe = [
    onLive('signal', ({ data }) => data.enterprise_tax_id === taxId && void reload()),
    onLive('match', ({ data }) => data.enterprise_tax_id === taxId && void reload()),
    onLive('case', ({ data }) => data.enterprise_tax_id === taxId && casePanel?.update(data)),
    onLive('reset', () => void reload()),
  ];
}

export function rerenderEnterprise(root, canWrite) {
  if (view) render(root, canWrite);
}

export function leaveEnterprise() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  view = null;
}
