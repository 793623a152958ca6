// The one-time link page: the secret is the last part of the address; the
// server hands the configuration out once, on the button press (a link
// preview that only fetches the page does not use the link up).
'use strict';

const $ = (id) => document.getElementById(id);
let config = null;
let peer = '';

async function reveal() {
  const secret = location.pathname.split('/').pop();
  $('reveal').disabled = true;
  try {
    const res = await fetch('/api/v1/links/redeem', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ secret }),
    });
    const data = await res.json();
    if (!res.ok) throw new Error(data.error ? data.error.message : 'HTTP ' + res.status);
    config = data.config;
    peer = data.name;
    $('peer-title').textContent = 'Configuration for ' + peer;
    $('qr-image').src = 'data:image/png;base64,' + data.qr_png;
    $('config-view').hidden = false;
    $('reveal').hidden = true;
    $('link-status').textContent = 'Here it is. This link no longer works.';
    $('download').focus();
  } catch (err) {
    $('error').textContent = err.message;
  }
}

function download() {
  const url = URL.createObjectURL(new Blob([config], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = peer + '.conf';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  $('reveal').addEventListener('click', reveal);
  $('download').addEventListener('click', download);
});
