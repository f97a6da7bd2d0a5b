// The demo page (demo mode only), built on the package's ./client with no framework: connect in a popup or
// with a redirect, see the connection (Zoom user, status, since), disconnect, and see a failure by its code and
// the gateway's detail. Its connect sessions come from the demo-only POST /demo/connect-session; the session
// token lives in sessionStorage and goes only in the Authorization header of /v1/me/*, never in a URL.

/** What the user is told for each error code (the README's "Error codes and what to tell the user" has the same table for app developers). */
const errorMessages: Record<string, string> = {
  access_denied: 'You declined access in Zoom, so nothing was connected. To connect, press Connect Zoom again and choose Allow.',
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
import { connectZoom, deleteMyConnection, getMySession, readRedirectResult, ZoomConnectError } from './demo/client.js';

const messages = ${scriptJson(errorMessages)};
const fallbackMessage = ${scriptJson(fallbackMessage)};
const tokenKey = 'zcg-demo-token';
const baseUrl = new URL('.', location.href).href.replace(/\\/$/, '');
const $ = (id) => document.getElementById(id);

// The status box says what the gateway holds; after a failed attempt it never reads as if the attempt had
// connected (an earlier connection stays as it was, and is shown as such).
function showConnection(connection, afterFailure) {
  const zoom = connection.zoom_user_id ? 'Zoom user ' + connection.zoom_user_id : 'Zoom account ' + connection.zoom_account_id;
  const healthy = connection.status === 'connected';
  $('status').dataset.state = connection.status;
  $('status-text').textContent = afterFailure
    ? 'Zoom was not connected again; your earlier connection is unchanged (' + zoom + ').'
    : healthy ? 'Zoom is connected (' + zoom + ').' : 'Zoom needs to be connected again (' + zoom + ').';
  $('zoom-user').textContent = zoom;
  $('connection-status').textContent = healthy ? 'connected' : 'needs reauthorization' + (connection.reauth_reason ? ': ' + connection.reauth_reason : '');
  const since = document.createElement('time');
  since.dateTime = connection.created_at;
  since.textContent = new Date(connection.created_at).toLocaleString();
  $('connection-since').replaceChildren(since);
  $('connection-id').textContent = connection.id;
  $('connection').hidden = false;
  $('disconnect').disabled = false;
}
function showState(state, text) {
  $('status').dataset.state = state;
  $('status-text').textContent = text;
  $('connection-id').textContent = '';
  $('connection').hidden = true;
  $('disconnect').disabled = state !== 'connected';
}
function showError(error) {
  const code = error?.code ?? 'internal_error';
  $('error-code').textContent = code;
  $('error-text').textContent = messages[code] ?? fallbackMessage;
  // The gateway's own detail, when it sent one (the code alone is the message otherwise).
  $('error-detail').textContent = error?.message && error.message !== code ? error.message : '';
  $('error').hidden = false;
  if (!error?.code) console.error(error);
}
const clearError = () => { $('error').hidden = true; };

// A connect session from the demo-only route (a real app asks its own backend, with its API key). A refusal
// keeps the gateway's code and detail, so the page can show them.
async function createSession(mode) {
  const answer = await fetch('demo/connect-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
  if (!answer.ok) {
    const problem = await answer.json().catch(() => ({}));
    throw new ZoomConnectError(typeof problem.code === 'string' ? problem.code : 'internal_error', problem.detail ?? 'POST /demo/connect-session answered ' + answer.status, answer.status);
  }
  const session = await answer.json();
  sessionStorage.setItem(tokenKey, session.token);
  return session;
}
async function gateway() {
  const token = sessionStorage.getItem(tokenKey) ?? (await createSession('redirect')).token;
  return { baseUrl, token };
}

// GET /v1/me/session: "nothing connected" is connection null, a 200, so the console logs no failed request.
async function refresh(afterFailure = false, retried = false) {
  try {
    const { connection } = await getMySession(await gateway());
    if (connection) showConnection(connection, afterFailure);
    else showState('not_connected', 'Not connected.');
  } catch (error) {
    if (error.code === 'unauthorized' && !retried) {
      sessionStorage.removeItem(tokenKey); // expired: the next look takes a new session
      return refresh(afterFailure, true);
    }
    showState('unknown', 'The connection could not be read.');
    showError(error);
  }
}

async function connect(mode) {
  clearError();
  // connectZoom opens the popup right away, inside this click; the session is made after that.
  const result = connectZoom({ mode, session: createSession });
  showState('busy', mode === 'popup' ? 'Connecting in the Zoom window…' : 'Going to Zoom…');
  let failed = false;
  try {
    await result;
  } catch (error) {
    failed = true;
    showError(error);
  }
  await refresh(failed);
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

let failed = false;
try {
  readRedirectResult();
} catch (error) {
  failed = true;
  showError(error);
}
await refresh(failed);
document.body.dataset.ready = 'true';
`;

export function renderDemoPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zoom Connect Gateway: demo</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1rem;margin:0 .5rem .5rem 0}#status,#error{padding:.75rem;border-radius:6px;margin:1rem 0}#status{background:#f3f3f3}#status[data-state=connected]{background:#e6f4ea}#error{background:#fce8e6}#status p,#error p{margin:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:.5rem 0 0}dd{margin:0}#error-detail{color:#555;font-size:.9em}code{font-size:.95em}</style>
</head><body>
<h1>Zoom Connect Gateway</h1>
<p>Demo mode: Recall is a local mock and Zoom a stand-in page.</p>
<p><button id="connect-popup">Connect Zoom (popup)</button><button id="connect-redirect">Connect Zoom (redirect)</button><button id="disconnect" disabled>Disconnect</button></p>
<div id="status" role="status" data-state="loading"><p id="status-text">Loading…</p>
<dl id="connection" hidden><dt>Zoom</dt><dd id="zoom-user"></dd><dt>Status</dt><dd id="connection-status"></dd><dt>Since</dt><dd id="connection-since"></dd><dt>Connection</dt><dd><code id="connection-id"></code></dd></dl></div>
<div id="error" role="alert" hidden><p>Error <code id="error-code"></code>: <span id="error-text"></span></p><p id="error-detail"></p></div>
<script type="module" nonce="${nonce}">${script}</script>
</body></html>
`;
}
