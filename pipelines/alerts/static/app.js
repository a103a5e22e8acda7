import { api } from './api.js';
import { applyStaticText, onLangChange, t, toggleLang, currentLang } from './i18n.js';
import { connectLive, onLive } from './live.js';
import { startBoard } from './board.js';
import { leaveEnterprise, rerenderEnterprise, showEnterprise } from './enterprise.js';

// Hash routes: #/ is the board, #/enterprise/<tax id> the enterprise page. Both stay subscribed to the live feed.
let canWrite = false;
let liveState = 'reconnecting';

function renderChrome() {
  document.getElementById('lang-toggle').textContent = currentLang() === 'zh' ? 'EN' : '中文';
  const status = document.getElementById('live-status');
  status.className = `live-status ${liveState}`;
  status.textContent = t(liveState === 'live' ? 'live' : liveState);
  const role = document.getElementById('role');
  role.hidden = canWrite;
  role.textContent = t('readOnly');
}

function route() {
  const board = document.getElementById('board-view');
  const enterprise = document.getElementById('enterprise-view');
  const m = /^#\/enterprise\/([^/]+)$/.exec(location.hash);
  if (m) {
    board.hidden = true;
    enterprise.hidden = false;
    void showEnterprise(enterprise, decodeURIComponent(m[1]), canWrite);
  } else {
    leaveEnterprise();
    enterprise.hidden = true;
    board.hidden = false;
  }
  window.scrollTo(0, 0);
}

async function main() {
  applyStaticText();
  const me = await api('/api/me');
  canWrite = me.can_write;
  renderChrome();
  document.getElementById('lang-toggle').addEventListener('click', toggleLang);
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
    location.assign('/login');
  });
  onLangChange(() => {
    renderChrome();
    if (!document.getElementById('enterprise-view').hidden) rerenderEnterprise(document.getElementById('enterprise-view'), canWrite);
  });
  onLive('status', (state) => {
    liveState = state;
    renderChrome();
  });
  connectLive();
  window.addEventListener('hashchange', route);
  await startBoard();
  route();
  document.body.dataset.ready = 'true';
}

void main();
