// The demo page (demo mode only): connect, see the status, disconnect. The session token lives in
// sessionStorage and goes only in the Authorization header of /v1/me/connection, never in a URL.
export function renderDemoPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zoom Connect Gateway: demo</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}#status{padding:.75rem;background:#f3f3f3;border-radius:6px}</style>
</head><body>
<h1>Zoom Connect Gateway</h1>
<p>Demo mode: Recall is a local mock and Zoom a stand-in page.</p>
<p><button id="connect">Connect Zoom</button><button id="disconnect">Disconnect</button></p>
<p id="status">Not connected.</p>
<script nonce="${nonce}">
const statusBox = document.getElementById('status');
const show = (text) => { statusBox.textContent = text; };
const token = () => sessionStorage.getItem('zcg-token');
async function refresh() {
  const params = new URLSearchParams(location.search);
  const error = params.get('error');
  if (params.has('zoom_connect')) history.replaceState(null, '', location.pathname);
  if (!token()) { show(error ? 'Error: ' + error : 'Not connected.'); return; }
  const answer = await fetch('/v1/me/connection', { headers: { Authorization: 'Bearer ' + token() } });
  if (answer.ok) { const c = await answer.json(); show('Connected (' + c.status + '), connection ' + c.id); }
  else { const p = await answer.json(); show(error ? 'Error: ' + error : 'Not connected (' + p.code + ').'); }
}
document.getElementById('connect').addEventListener('click', async () => {
  const answer = await fetch('/demo/connect-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const session = await answer.json();
  sessionStorage.setItem('zcg-token', session.token);
  location.assign(session.connect_url);
});
document.getElementById('disconnect').addEventListener('click', async () => {
  if (token()) await fetch('/v1/me/connection', { method: 'DELETE', headers: { Authorization: 'Bearer ' + token() } });
  refresh();
});
refresh();
</script>
</body></html>
`;
}
