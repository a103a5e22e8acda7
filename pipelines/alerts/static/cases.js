import { api } from './api.js';
import { clear, el } from './dom.js';
import { formatInstant, t } from './i18n.js';

// A case per signal, worked by a tax steward: open, assign, annotate, close with an outcome, reopen.
// Every change carries the version the steward edited, so a concurrent edit elsewhere comes back as 409.
const OUTCOMES = ['MATCHED', 'RECOVERED_ON_ITS_OWN', 'NOT_A_DISRUPTION'];

export function caseCard(signal, current, { canWrite, onChanged }) {
  const card = el('div', { class: 'case-card', dataset: { signalId: signal.signal_id, testid: 'case-card' } });
  const message = el('p', { class: 'error', role: 'alert', hidden: true });

  const run = async (work) => {
    message.hidden = true;
    try {
      onChanged(await work());
    } catch (error) {
      if (error.status === 409 && error.body?.error?.current) {
        onChanged(error.body.error.current);
        message.textContent = t('conflict');
      } else {
        message.textContent = `${t('error')}: ${error.message}`;
      }
      message.hidden = false;
    }
  };
  const change = (body) => run(() => api(`/api/cases/${encodeURIComponent(current.case_id)}`, { method: 'PATCH', body: { version: current.version, ...body } }));

  if (!current) {
    card.append(
      el('span', { class: 'badge muted', text: t('noCase') }),
      canWrite ? el('button', { type: 'button', dataset: { action: 'open-case' }, text: t('openCase'), onclick: () => run(() => api('/api/cases', { method: 'POST', body: { signal_id: signal.signal_id } })) }) : null,
      message,
    );
    return card;
  }

  const head = el('div', { class: 'case-head' }, [
    el('span', { class: `badge case-${current.status.toLowerCase()}`, dataset: { testid: 'case-status' }, text: current.status === 'CLOSED' ? `${t('caseCLOSED')} · ${t('outcome' + current.outcome)}` : t('caseOPEN') }),
    el('span', { class: 'muted', text: `${t('version')} ${current.version} · ${formatInstant(current.updated_at_ms)}` }),
  ]);
  if (current.status === 'CLOSED') {
    card.append(head, current.assignee ? el('p', { text: `${t('assignee')}: ${current.assignee}` }) : null, current.notes ? el('p', { class: 'notes', text: current.notes }) : null);
    if (canWrite) card.append(el('button', { type: 'button', dataset: { action: 'reopen-case' }, text: t('reopen'), onclick: () => change({ status: 'OPEN' }) }));
    card.append(message);
    return card;
  }

  const assignee = el('input', { name: 'assignee', value: current.assignee, maxlength: 64, disabled: !canWrite });
  const notes = el('textarea', { name: 'notes', rows: 3, maxlength: 4000, disabled: !canWrite });
  notes.value = current.notes;
  const outcome = el('select', { name: 'outcome', disabled: !canWrite }, [el('option', { value: '', text: t('chooseOutcome') }), ...OUTCOMES.map((o) => el('option', { value: o, text: t('outcome' + o) }))]);
  const close = el('button', { type: 'button', dataset: { action: 'close-case' }, text: t('closeCase'), disabled: true, onclick: () => change({ status: 'CLOSED', outcome: outcome.value, assignee: assignee.value.trim(), notes: notes.value }) });
  outcome.addEventListener('change', () => (close.disabled = !canWrite || outcome.value === ''));
  card.append(
    head,
    el('label', {}, [el('span', { text: t('assignee') }), assignee]),
    el('label', {}, [el('span', { text: t('notes') }), notes]),
    canWrite ? el('button', { type: 'button', dataset: { action: 'save-case' }, text: t('save'), onclick: () => change({ assignee: assignee.value.trim(), notes: notes.value }) }) : null,
    el('div', { class: 'close-row' }, [el('span', { text: t('outcome') }), outcome, canWrite ? close : null]),
    message,
  );
  return card;
}

/** The cases section of the enterprise page: one card per signal that is still a disruption or already has a case. `onCase` hears every newer state. */
export function casesSection(signals, cases, opts) {
  const byId = new Map(cases.map((c) => [c.signal_id, c]));
  const box = el('section', { class: 'panel cases', dataset: { testid: 'cases' } }, [el('h2', { text: t('cases') })]);
  const list = el('div', { class: 'case-list' });
  const render = () => {
    clear(list);
    for (const s of signals) {
      if (s.status === 'RESOLVED' && !byId.has(s.signal_id)) continue;
      list.append(
        el('div', { class: 'case-row' }, [
          el('div', { class: 'case-signal' }, [el('b', { text: t('type' + s.signal_type) }), ' ', el('span', { class: 'muted', text: `${s.window_start} – ${s.window_end}` })]),
          caseCard(s, byId.get(s.signal_id) ?? null, {
            canWrite: opts.canWrite,
            onChanged: (state) => {
              byId.set(state.signal_id, state);
              opts.onCase?.(state);
              render();
            },
          }),
        ]),
      );
    }
  };
  render();
  box.append(list);
  return {
    node: box,
    /** A case event from the live feed (another browser, or our own echo). */
    update(state) {
      const known = byId.get(state.signal_id);
      if (known && known.version >= state.version) return;
      byId.set(state.signal_id, state);
      opts.onCase?.(state);
      render();
    },
  };
}
