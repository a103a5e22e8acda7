import { applyStaticText, t } from './i18n.js';

// `yunlian up` prints /login#token=…: the fragment never reaches the server or its logs.
async function logIn(token) {
  const response = await fetch('/api/session', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  if (response.ok) {
    location.replace('/');
    return;
  }
  const error = document.getElementById('login-error');
  error.textContent = t('badToken');
  error.hidden = false;
}

applyStaticText();
const form = document.getElementById('login');
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void logIn(new FormData(form).get('token'));
});
const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromFragment) {
  history.replaceState(null, '', '/login');
  void logIn(fromFragment);
}
