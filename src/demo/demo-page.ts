// The demo page (demo mode only), built on the package's ./client with no framework: connect in a popup or
// with a redirect, see the status, disconnect, and see a failed flow's error by its code. Its connect sessions
// come from the demo-only POST /demo/connect-session; the session token lives in sessionStorage and goes only
// in the Authorization header of /v1/me/connection, never in a URL.

/** What the user is told for each error code (the README's "Error codes and what to tell the user" has the same table for app developers). */
const errorMessages: Record<string, string> = {
  access_denied: 'You declined access in Zoom. Connect again and choose Allow to use Zoom here.',
  popup_blocked: 'Your browser blocked the Zoom window. Allow pop-ups for this site, or use the redirect.',
  window_closed: 'The Zoom window was closed before Zoom was connected.',
  timeout: 'Connecting took too long. Try again.',
  network_error: 'The connection service could not be reached. Check your network and try again.',
  state_expired: 'The sign-in took too long. Try again.',
  session_expired: 'This connect link expired. Try again.',
  launch_not_from_app: 'Connecting must start from this page. Press Connect Zoom again.',
};
const fallbackMessage = 'Zoom could not be connected. Try again, and contact support if it keeps failing.';

// JSON inside <script>: escape '<' so no value can close the script element.
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const script = `
import { connectZoom, deleteMyConnection, getMyConnection, readRedirectResult } from './demo/client.js';

const messages = ${scriptJson(errorMessages)};
const fallbackMessage = ${scriptJson(fallbackMessage)};
const tokenKey = 'zcg-demo-token';
const baseUrl = new URL('.', location.href).href.replace(/\\/$/, '');
const $ = (id) => document.getElementById(id);

function showStatus(state, text, connectionId) {
  $('status').dataset.state = state;
  $('status-text').textContent = text;
  $('connection-id').textContent = connectionId ?? '';
}
function showError(error) {
  const code = error?.code ?? 'internal_error';
  $('error-code').textContent = code;
  $('error-text').textContent = messages[code] ?? fallbackMessage;
  $('error').hidden = false;
  if (!error?.code) console.error(error);
}
const clearError = () => { $('error').hidden = true; };

// A connect session from the demo-only route (a real app asks its own backend, with its API key).
async function createSession(mode) {
  const answer = await fetch('demo/connect-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
  if (!answer.ok) throw new Error('POST /demo/connect-session answered ' + answer.status);
  const session = await answer.json();
  sessionStorage.setItem(tokenKey, session.token);
  return session;
}
async function gateway() {
  const token = sessionStorage.getItem(tokenKey) ?? (await createSession('redirect')).token;
  return { baseUrl, token };
}

async function refresh(retried = false) {
  try {
    const connection = await getMyConnection(await gateway());
    const zoom = connection.zoom_user_id ? 'Zoom user ' + connection.zoom_user_id : 'Zoom account ' + connection.zoom_account_id;
    const text = connection.status === 'connected' ? 'Zoom is connected (' + zoom + '). Connection ' : 'Zoom needs to be connected again (' + zoom + '). Connection ';
    showStatus(connection.status, text, connection.id);
  } catch (error) {
    if (error.code === 'unauthorized' && !retried) {
      sessionStorage.removeItem(tokenKey); // expired: the next look takes a new session
      return refresh(true);
    }
    if (error.code === 'not_connected') showStatus('not_connected', 'Not connected.');
    else showError(error);
  }
}

async function connect(mode) {
  clearError();
  // connectZoom opens the popup right away, inside this click; the session is made after that.
  const result = connectZoom({ mode, session: createSession });
  showStatus('busy', mode === 'popup' ? 'Connecting in the Zoom window…' : 'Going to Zoom…');
  try {
    await result;
  } catch (error) {
    showError(error);
  }
  await refresh();
}

$('connect-popup').addEventListener('click', () => connect('popup'));
$('connect-redirect').addEventListener('click', () => connect('redirect'));
$('disconnect').addEventListener('click', async () => {
  clearError();
  try {
    await deleteMyConnection(await gateway());
  } catch (error) {
    if (error.code !== 'not_connected') showError(error);
  }
  await refresh();
});

try {
  readRedirectResult();
} catch (error) {
  showError(error);
}
await refresh();
document.body.dataset.ready = 'true';
`;

export function renderDemoPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zoom Connect Gateway: demo</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1rem;margin:0 .5rem .5rem 0}#status{padding:.75rem;background:#f3f3f3;border-radius:6px}#status[data-state=connected]{background:#e6f4ea}#error{padding:.75rem;background:#fce8e6;border-radius:6px}code{font-size:.95em}</style>
</head><body>
<h1>Zoom Connect Gateway</h1>
<p>Demo mode: Recall is a local mock and Zoom a stand-in page.</p>
<p><button id="connect-popup">Connect Zoom (popup)</button><button id="connect-redirect">Connect Zoom (redirect)</button><button id="disconnect">Disconnect</button></p>
<p id="status" role="status" data-state="loading"><span id="status-text">Loading…</span><code id="connection-id"></code></p>
<p id="error" role="alert" hidden>Error <code id="error-code"></code>: <span id="error-text"></span></p>
<script type="module" nonce="${nonce}">${script}</script>
</body></html>
`;
}
