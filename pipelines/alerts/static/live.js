// One EventSource for the whole page. The browser reconnects by itself and sends Last-Event-ID, so the server
// replays what was missed; a `reset` event means it could not (restart, or away too long): views reload instead.
const handlers = { signal: new Set(), match: new Set(), case: new Set(), reset: new Set(), status: new Set() };
let source = null;

export function onLive(type, handler) {
  handlers[type].add(handler);
  return () => handlers[type].delete(handler);
}

function emit(type, payload) {
  for (const handler of handlers[type]) handler(payload);
}

export function connectLive() {
  if (source) return;
  source = new EventSource('/api/stream');
  source.addEventListener('open', () => emit('status', 'live'));
  source.addEventListener('error', () => emit('status', source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting'));
  for (const type of ['signal', 'match', 'case']) {
    source.addEventListener(type, (event) => emit(type, { id: event.lastEventId, data: JSON.parse(event.data), receivedAt: Date.now() }));
  }
  source.addEventListener('reset', () => emit('reset', {}));
}
