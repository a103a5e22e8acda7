import { el, svg } from './dom.js';
import { formatFen, t } from './i18n.js';

// Daily sales and purchases against their baselines as an inline SVG: one x step per working day,
// disruption windows shaded so a steward sees when the flow broke away from its usual level.
const W = 920;
const H = 280;
const PAD = { left: 84, right: 16, top: 16, bottom: 34 };
const SERIES = [
  { key: 'sales_fen', label: 'sales', cls: 'line-sales' },
  { key: 'purchases_fen', label: 'purchases', cls: 'line-purchases' },
  { key: 'sales_baseline_fen', label: 'salesBaseline', cls: 'line-sales baseline' },
  { key: 'purchases_baseline_fen', label: 'purchasesBaseline', cls: 'line-purchases baseline' },
];

/** Path data for a series; a null value (no baseline yet) breaks the line. */
function pathOf(points, key, x, y) {
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    const v = p[key];
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function indexOnOrAfter(points, day) {
  const i = points.findIndex((p) => p.day >= day);
  return i < 0 ? points.length - 1 : i;
}

export function dailyChart(points, signals) {
  if (points.length === 0) return el('p', { class: 'muted', text: '—' });
  const values = points.flatMap((p) => SERIES.map((s) => p[s.key]).filter((v) => v !== null && v !== undefined));
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const x = (i) => PAD.left + (points.length === 1 ? 0 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v) => PAD.top + ((max - v) * (H - PAD.top - PAD.bottom)) / (max - min);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'daily-chart', role: 'img', 'aria-label': t('chartTitle') }, [svg('title', { text: t('chartTitle') })]);

  const first = points[0].day;
  const last = points[points.length - 1].day;
  for (const s of signals) {
    if (s.window_end < first || s.window_start > last) continue;
    const a = x(indexOnOrAfter(points, s.window_start));
    const b = x(indexOnOrAfter(points, s.window_end));
    chart.append(svg('rect', { class: `window ${s.status === 'OPEN' ? 'open' : 'resolved'}`, x: a, y: PAD.top, width: Math.max(2, b - a), height: H - PAD.top - PAD.bottom }, [svg('title', { text: `${t('type' + s.signal_type)} ${s.window_start} – ${s.window_end}` })]));
  }
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    chart.append(
      svg('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      svg('text', { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', text: formatFen(Math.round(v)) }),
    );
  }
  const step = Math.max(1, Math.ceil(points.length / 8));
  for (let i = 0; i < points.length; i += step) chart.append(svg('text', { class: 'axis', x: x(i), y: H - 10, 'text-anchor': 'middle', text: points[i].day.slice(5) }));
  for (const s of SERIES) chart.append(svg('path', { class: s.cls, d: pathOf(points, s.key, x, y) }));

  const legend = el('div', { class: 'legend' }, [
    ...SERIES.map((s) => el('span', { class: 'key' }, [el('i', { class: s.cls }), t(s.label)])),
    el('span', { class: 'key' }, [el('i', { class: 'window-key' }), t('openWindow')]),
  ]);
  return el('figure', { class: 'chart' }, [el('figcaption', { text: t('chartTitle') }), chart, legend]);
}
