// The admin page of `vpngw serve`. Everything the server sends is put into
// the page as text (textContent, attributes through the DOM), never parsed as
// HTML, so a peer or group name cannot become markup or script.
'use strict';

const state = { csrf: sessionStorage.getItem('vpngw-csrf'), peers: [], selected: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const options = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET' && state.csrf) options.headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const res = await fetch(path, options);
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    const err = new Error(data && data.error ? data.error.message : 'HTTP ' + res.status);
    err.status = res.status;
    throw err;
  }
  return data;
}

function say(text) { $('message').textContent = text; $('error').textContent = ''; }
function fail(err) {
  $('message').textContent = '';
  $('error').textContent = err.message;
  if (err.status === 401) showLogin();
}

function showLogin() {
  state.csrf = null;
  sessionStorage.removeItem('vpngw-csrf');
  $('admin-view').hidden = true;
  $('logout').hidden = true;
  $('login-view').hidden = false;
  $('token').focus();
}

async function showAdmin() {
  $('login-view').hidden = true;
  $('admin-view').hidden = false;
  $('logout').hidden = false;
  await Promise.all([loadGroups(), loadPeers()]);
}

async function loadGroups() {
  const status = await api('GET', '/api/v1/status');
  const select = $('peer-group');
  select.replaceChildren();
  for (const g of status.groups) {
    const option = document.createElement('option');
    option.value = g.name;
    option.textContent = g.name;
    select.append(option);
  }
}

async function loadPeers() {
  const data = await api('GET', '/api/v1/peers');
  state.peers = data.peers;
  render();
}

function statusOf(peer) {
  if (peer.disabled) return ['disabled', 'offline'];
  if (peer.expired) return ['expired', 'offline'];
  if (peer.handshake_age_seconds === null) return ['never connected', 'offline'];
  if (peer.handshake_age_seconds < 180) return ['online', 'online'];
  return ['offline', 'offline'];
}

function button(label, aria, action, style) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', aria);
  if (style) b.className = style;
  b.addEventListener('click', action);
  return b;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function render() {
  const q = $('search').value.trim().toLowerCase();
  const rows = $('peer-rows');
  rows.replaceChildren();
  const shown = state.peers.filter((p) => !q || p.name.toLowerCase().includes(q) ||
                                         p.group.toLowerCase().includes(q));
  for (const p of shown) {
    const tr = document.createElement('tr');
    tr.dataset.peer = p.name;
    const [label, cls] = statusOf(p);
    const status = cell(label);
    status.className = cls;
    tr.append(cell(p.name), cell(p.group), cell([p.address, p.address6].filter(Boolean).join(', ')),
              status);
    const actions = document.createElement('td');
    if (p.source === 'state') {
      actions.append(
        button('QR', 'Show the QR code of ' + p.name, () => showQr(p.name)),
        button('Link', 'Make a one-time link for ' + p.name, () => makeLink(p.name), 'secondary'),
        p.disabled
          ? button('Enable', 'Enable ' + p.name, () => lifecycle(p.name, 'enable'), 'secondary')
          : button('Disable', 'Disable ' + p.name, () => lifecycle(p.name, 'disable'), 'secondary'),
        button('Rotate', 'Rotate the keys of ' + p.name, () => lifecycle(p.name, 'rotate'), 'secondary'),
        button('Remove', 'Remove ' + p.name, (e) => removePeer(p.name, e.target), 'danger'));
    } else {
      actions.textContent = 'declared in the profile';
    }
    tr.append(actions);
    rows.append(tr);
  }
  $('no-peers').hidden = shown.length > 0;
}

function peerPath(name, rest) {
  return '/api/v1/peers/' + encodeURIComponent(name) + (rest || '');
}

function showQr(name) {
  state.selected = name;
  $('qr-caption').textContent = 'Scan this with the WireGuard app to add ' + name + '.';
  $('qr-image').alt = 'QR code of the configuration of ' + name;
  $('qr-image').src = peerPath(name, '/qr.png') + '?t=' + Date.now();
  $('qr-view').hidden = false;
  $('qr-download').focus();
}

async function download() {
  const name = state.selected;
  const res = await fetch(peerPath(name, '/config'), { credentials: 'same-origin' });
  if (!res.ok) { fail(new Error('HTTP ' + res.status)); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name + '.conf';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function makeLink(name) {
  try {
    const link = await api('POST', peerPath(name, '/link'), { ttl_seconds: 86400 });
    $('link-url').value = location.origin + link.path;
    $('link-view').hidden = false;
    $('link-url').focus();
    $('link-url').select();
    say('One-time link made for ' + name + '.');
  } catch (err) { fail(err); }
}

const done = { disable: 'disabled', enable: 'enabled', rotate: 'has new keys' };

async function lifecycle(name, action) {
  try {
    const r = await api('POST', peerPath(name, '/' + action));
    say(name + ' ' + done[action] + '. ' + r.note);
    await loadPeers();
    // New keys: the old QR code no longer works, show the new one.
    if (r.config_changed) showQr(name);
  } catch (err) { fail(err); }
}

async function removePeer(name, b) {
  if (b.dataset.armed !== 'yes') {  // two steps instead of a modal confirm()
    b.dataset.armed = 'yes';
    b.textContent = 'Confirm removal';
    return;
  }
  try {
    await api('DELETE', peerPath(name));
    say('Removed ' + name + '.');
    if (state.selected === name) $('qr-view').hidden = true;
    await loadPeers();
  } catch (err) { fail(err); }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const s = await api('POST', '/api/v1/session', { token: $('token').value });
      $('token').value = '';
      state.csrf = s.csrf;
      sessionStorage.setItem('vpngw-csrf', s.csrf);
      say('Logged in (' + s.scope + ' access).');
      await showAdmin();
    } catch (err) { fail(err); }
  });
  $('logout').addEventListener('click', async () => {
    try { await api('DELETE', '/api/v1/session'); } catch (err) { /* gone already */ }
    showLogin();
  });
  $('add-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('peer-name').value;
    try {
      const r = await api('POST', '/api/v1/peers', { name, group: $('peer-group').value });
      $('peer-name').value = '';
      say('Added ' + r.peer.name + ' (' + r.peer.address + ').');
      await loadPeers();
      showQr(r.peer.name);
    } catch (err) { fail(err); }
  });
  $('search').addEventListener('input', render);
  $('qr-download').addEventListener('click', download);
  $('qr-close').addEventListener('click', () => { $('qr-view').hidden = true; });
  if (state.csrf) showAdmin().catch(() => showLogin()); else showLogin();
});
