// The web client of tgpt-ws-bridge serve: one page, one WebSocket per session.

import { AnswerView } from './answer.js';
import { shown } from './attach.js';
import { Connection } from './connection.js';
import { copyCode, newSessionID, sessionLabel, storage, when } from './page.js';
import { Tray } from './tray.js';

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), log: $('log'), empty: $('empty'), form: $('composer'), message: $('message'),
  send: $('send'), stop: $('stop'), title: $('title'), status: $('connection'), statusText: $('connection-text'),
  retry: $('retry'), sessions: $('session-list'), noSessions: $('no-sessions'), newSession: $('new-session'),
  openList: $('open-sidebar'), closeList: $('close-sidebar'), scrim: $('scrim'), tokenPanel: $('token-panel'),
  tokenForm: $('token-form'), tokenInput: $('token-input'), tokenWhy: $('token-why'), forget: $('forget-token'),
  attach: $('attach'), fileInput: $('file-input'), chips: $('chips'), attachStatus: $('attach-status'),
};

const TOKEN_KEY = 'tgpt.token';
const SESSION_KEY = 'tgpt.session';
const state = { token: null, session: null, turn: null, requests: 0, historyID: null, listID: null, list: [] };
const tray = new Tray({ chips: ui.chips, status: ui.attachStatus, message: ui.message });

function requestID(prefix) {
  state.requests += 1;
  return prefix + state.requests;
}

// ---- the log ----

function nearBottom() {
  return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 96;
}

function keepingBottom(change) {
  const stick = nearBottom();
  change();
  if (stick) ui.log.scrollTop = ui.log.scrollHeight;
}

function clearLog() {
  ui.log.querySelectorAll('.message').forEach((node) => node.remove());
  ui.empty.hidden = false;
}

function addMessage(role) {
  ui.empty.hidden = true;
  const article = document.createElement('article');
  article.className = 'message ' + role;
  const body = document.createElement('div');
  body.className = role === 'user' ? 'bubble' : 'markdown';
  article.append(body);
  ui.log.append(article);
  return { article, body };
}

function addUser(text, attachments = []) {
  let added;
  keepingBottom(() => {
    added = addMessage('user');
    added.body.textContent = text;
    if (attachments.length) {
      const row = document.createElement('div');
      row.className = 'sent-attachments';
      row.append(...attachments.map(shown));
      added.body.prepend(row);
    }
  });
  return added.article;
}

function addAnswer() {
  const { article, body } = addMessage('assistant');
  const view = new AnswerView(body, () => keepingBottom(() => {}));
  return { article, view };
}

/** A line under an answer: how it ended, or what it is doing. */
function note(article, text, kind) {
  let line = article.querySelector(':scope > .note');
  if (!line) {
    line = document.createElement('p');
    line.className = 'note';
    article.append(line);
  }
  line.textContent = text;
  line.dataset.kind = kind;
  if (kind === 'error') line.setAttribute('role', 'alert');
}

function showHistory(event) {
  // A message sent after the history was asked for is not in it: its turn stays below.
  const live = state.turn ? [state.turn.asked, state.turn.article] : [];
  clearLog();
  for (const message of event.messages || []) {
    if (message.role === 'user') {
      addUser(message.content, message.attachments || []);
    } else if (message.role === 'assistant') {
      const { article, view } = addAnswer();
      view.append(message.content);
      view.finish();
      article.dataset.status = message.status;
      if (message.status === 'interrupted') note(article, 'Stopped', 'stopped');
      else if (message.status === 'failed') note(article, 'Failed: ' + (message.error || 'unknown error'), 'error');
      else if (!message.content && message.tool_calls) note(article, 'Used tools', 'info');
      else if (message.model) note(article, message.model, 'info');
    }
  }
  if (live.length) {
    ui.empty.hidden = true;
    ui.log.append(...live);
  }
  ui.title.textContent = event.session?.title || state.list.find((s) => s.id === state.session)?.title || 'New chat';
  ui.log.scrollTop = ui.log.scrollHeight;
}

// ---- a turn ----

function setAnswering(answering) {
  ui.send.hidden = answering;
  ui.stop.hidden = !answering;
  document.body.dataset.answering = answering ? 'yes' : 'no';
}

function sendMessage() {
  const text = ui.message.value;
  if ((!text.trim() && !tray.items.length) || state.turn) return;
  if (tray.preparing) {
    tray.say('Still reading the attachments…', 'info');
    return;
  }
  const line = tray.line({ message: text, id: requestID('m') });
  const tooLarge = tray.tooLarge(line);
  if (tooLarge) {
    tray.say(tooLarge);
    return;
  }
  const id = line.id;
  if (!connection.send(line)) {
    flashStatus();
    return;
  }
  tray.clear();
  const asked = addUser(text, line.attachments || []);
  const { article, view } = addAnswer();
  article.dataset.status = 'streaming';
  article.setAttribute('aria-busy', 'true');
  note(article, 'Thinking…', 'info');
  state.turn = { id, asked, article, view };
  ui.message.value = '';
  fitMessageBox();
  setAnswering(true);
  ui.log.scrollTop = ui.log.scrollHeight;
}

function stopAnswer() {
  if (!state.turn || state.turn.stopping) return;
  state.turn.stopping = true;
  connection.send({ cancel: state.turn.id, reason: 'stopped in the web client' });
  note(state.turn.article, 'Stopping…', 'info');
}

function endTurn(status, text, kind) {
  const turn = state.turn;
  if (!turn) return;
  turn.view.finish();
  turn.article.dataset.status = status;
  turn.article.removeAttribute('aria-busy');
  note(turn.article, text, kind);
  state.turn = null;
  setAnswering(false);
}

function onTurnEvent(event) {
  const { article, view } = state.turn;
  switch (event.type) {
    case 'start':
      note(article, event.model ? 'Answering · ' + event.model : 'Answering…', 'info');
      break;
    case 'chunk':
      if (event.content) {
        if (article.querySelector(':scope > .note')?.textContent === 'Thinking…') note(article, 'Answering…', 'info');
        view.append(event.content);
      }
      break;
    case 'tool_call':
      note(article, 'Running ' + event.name + '…', 'info');
      break;
    case 'retry':
      note(article, 'The provider is busy; trying again (attempt ' + event.attempt + ')…', 'info');
      break;
    case 'complete': {
      const seconds = event.processing_time_ms ? ' · ' + (event.processing_time_ms / 1000).toFixed(1) + ' s' : '';
      endTurn('complete', (event.model || 'Done') + seconds, 'info');
      requestSessions();
      break;
    }
    case 'error':
      if (event.code === 'interrupted') endTurn('interrupted', 'Stopped', 'stopped');
      else endTurn('failed', 'Failed: ' + (event.error || 'unknown error'), 'error');
      requestSessions();
      break;
  }
}

// ---- sessions ----

function requestHistory() {
  state.historyID = requestID('h');
  connection.send({ history: true, id: state.historyID });
}

function requestSessions() {
  state.listID = requestID('l');
  connection.send({ sessions: true, id: state.listID });
}

function showSessions(list) {
  state.list = list;
  ui.sessions.replaceChildren(
    ...list.map((session) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'session';
      button.dataset.session = session.id;
      if (session.id === state.session) button.setAttribute('aria-current', 'page');
      const title = document.createElement('span');
      title.className = 'session-title';
      title.textContent = sessionLabel(session);
      const time = document.createElement('span');
      time.className = 'session-time';
      time.textContent = when(session.updated_at);
      button.append(title, time);
      item.append(button);
      return item;
    }),
  );
  ui.noSessions.hidden = list.length > 0;
  const current = list.find((session) => session.id === state.session);
  if (current?.title) ui.title.textContent = current.title;
}

function openSession(id) {
  if (state.turn) endTurn('interrupted', 'Left before the end', 'stopped');
  state.session = id;
  storage.set(SESSION_KEY, id);
  if (location.hash.slice(1) !== id) history.replaceState(null, '', '#' + id);
  clearLog();
  ui.title.textContent = state.list.find((session) => session.id === id)?.title || 'New chat';
  ui.sessions.querySelectorAll('.session').forEach((button) => {
    if (button.dataset.session === id) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  });
  showList(false);
  connection.open(id, state.token);
}

function showList(open) {
  ui.app.classList.toggle('list-open', open);
  ui.scrim.hidden = !open;
  ui.openList.setAttribute('aria-expanded', String(open));
  if (open) ui.sessions.querySelector('.session')?.focus();
}

// ---- the connection ----

let ticking = null;

function showState({ state: now, retryAt }) {
  document.body.dataset.connection = now;
  // The socket dropped mid-answer: the server stopped that answer; the history tells how far
  // it got once the connection is back.
  if (now === 'waiting' && state.turn) endTurn('failed', 'No answer: the connection was lost', 'error');
  clearInterval(ticking);
  ui.retry.hidden = now !== 'waiting';
  const say = (text) => { ui.statusText.textContent = text; };
  if (now === 'connecting') say('Connecting…');
  else if (now === 'open') say('Connected');
  else if (now === 'refused') say('Token needed');
  else if (now === 'waiting') {
    const tick = () => say('Reconnecting in ' + Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)) + ' s');
    tick();
    ticking = setInterval(tick, 1000);
  }
}

function flashStatus() {
  ui.status.classList.remove('flash');
  void ui.status.offsetWidth;
  ui.status.classList.add('flash');
}

const connection = new Connection({
  state: showState,
  open() {
    ui.tokenPanel.hidden = true;
    requestHistory();
    requestSessions();
  },
  event(event) {
    if (event.type === 'error' && event.code === 'auth') return;
    if (state.turn && event.id === state.turn.id) onTurnEvent(event);
    else if (event.type === 'history' && event.id === state.historyID) showHistory(event);
    else if (event.type === 'sessions' && event.id === state.listID) showSessions(event.sessions || []);
  },
  refused() {
    if (state.turn) endTurn('failed', 'Not sent: the server wants a token', 'error');
    ui.tokenWhy.textContent = state.token
      ? 'The server did not accept the token. Enter the one you were given.'
      : 'This server needs a token. Enter the one you were given.';
    ui.tokenPanel.hidden = false;
    ui.tokenInput.focus();
  },
});

// ---- the composer ----

function fitMessageBox() {
  ui.message.style.height = 'auto';
  ui.message.style.height = Math.min(ui.message.scrollHeight + 2, window.innerHeight * 0.4) + 'px';
}

ui.message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey &&
    !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});
ui.message.addEventListener('input', fitMessageBox);
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
  ui.message.focus();
});
ui.attach.addEventListener('click', () => ui.fileInput.click());
ui.fileInput.addEventListener('change', () => {
  const files = [...ui.fileInput.files];
  ui.fileInput.value = '';
  tray.add(files);
  ui.message.focus();
});
ui.message.addEventListener('paste', (event) => {
  const files = [...(event.clipboardData?.files || [])];
  if (!files.length) return;
  event.preventDefault();
  tray.add(files);
});
// Files dropped anywhere on the page; anything else dropped is left to the browser.
const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes('Files');
document.addEventListener('dragover', (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
  document.body.dataset.dropping = 'yes';
});
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) delete document.body.dataset.dropping;
});
document.addEventListener('drop', (event) => {
  delete document.body.dataset.dropping;
  if (!carriesFiles(event)) return;
  event.preventDefault();
  tray.add([...event.dataTransfer.files]);
});
ui.stop.addEventListener('click', () => {
  stopAnswer();
  ui.message.focus();
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  if (ui.app.classList.contains('list-open')) showList(false);
  else stopAnswer();
});

ui.newSession.addEventListener('click', () => {
  openSession(newSessionID());
  ui.message.focus();
});
ui.sessions.addEventListener('click', (event) => {
  const button = event.target.closest('.session');
  if (button) openSession(button.dataset.session);
});
ui.openList.addEventListener('click', () => showList(true));
ui.closeList.addEventListener('click', () => showList(false));
ui.scrim.addEventListener('click', () => showList(false));
ui.retry.addEventListener('click', () => connection.retryNow());
ui.log.addEventListener('click', (event) => {
  const button = event.target.closest('button.copy');
  if (button) copyCode(button);
});
ui.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.tokenInput.value.trim();
  if (!token) return;
  state.token = token;
  storage.set(TOKEN_KEY, token);
  ui.tokenInput.value = '';
  ui.forget.hidden = false;
  ui.tokenPanel.hidden = true;
  connection.open(state.session, state.token);
  ui.message.focus();
});
ui.forget.addEventListener('click', () => {
  state.token = null;
  storage.set(TOKEN_KEY, null);
  ui.forget.hidden = true;
  connection.open(state.session, null);
});
// The session named after `#`; '' when the address holds none or a broken escape (`#%`), which
// must not stop the page from starting.
function sessionInAddress() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return '';
  }
}

window.addEventListener('hashchange', () => {
  const id = sessionInAddress();
  if (id && id !== state.session && /^[A-Za-z0-9._:-]{1,128}$/.test(id)) openSession(id);
});
// A phone that slept or lost its network: try at once rather than at the end of the backoff.
window.addEventListener('online', () => connection.retryNow());
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) connection.retryNow();
});

// ---- start ----

function start() {
  // ?token=… once (a link from whoever runs the server): kept, and taken out of the address
  // bar and the history, so it is not shared with the page's address.
  const query = new URLSearchParams(location.search);
  if (query.get('token')) {
    storage.set(TOKEN_KEY, query.get('token'));
    query.delete('token');
    const rest = query.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  }
  state.token = storage.get(TOKEN_KEY);
  ui.forget.hidden = !state.token;
  const fromAddress = sessionInAddress();
  const valid = (id) => id && /^[A-Za-z0-9._:-]{1,128}$/.test(id);
  const session = valid(fromAddress) ? fromAddress : valid(storage.get(SESSION_KEY)) ? storage.get(SESSION_KEY) : null;
  setAnswering(false);
  tray.loadLimit(ui.form);
  openSession(session || newSessionID());
  ui.message.focus();
}

start();
