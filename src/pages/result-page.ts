// The page that ends a flow in the browser. In popup mode it posts the result to the opener at return_to's
// exact origin (never '*', RFC 9700 §4.17) and closes itself. It never contains a code, state, token or
// verifier: only whether it worked, the connection id, and the error code.
import type { ConnectResultMessage } from '../../generated/gateway/types.gen.js';

export const resultMessageType: ConnectResultMessage['type'] = 'zoom-connect:result';

export interface ResultPage {
  message: Omit<ConnectResultMessage, 'type'>;
  title: string;
  detail: string;
  /** The origin to post the result to, in popup mode. */
  popupOrigin?: string;
  /**
   * Popup mode: where to go when the page has no opener (the popup was blocked and the flow ran as a full
   * redirect, or a cross-origin-isolated page cut the link): return_to with the result query.
   */
  noOpenerUrl?: string;
  nonce: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// JSON inside <script>: escape '<' so no value can close the script element.
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderResultPage(page: ResultPage): string {
  const message: ConnectResultMessage = { type: resultMessageType, ...page.message };
  const script = page.popupOrigin
    ? `<script nonce="${page.nonce}">
if (window.opener) { window.opener.postMessage(${scriptJson(message)}, ${scriptJson(page.popupOrigin)}); window.close(); }${
        page.noOpenerUrl ? `\nelse { window.location.replace(${scriptJson(page.noOpenerUrl)}); }` : ''
      }
</script>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style nonce="${page.nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .25rem}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.detail)}</p>
${page.message.error ? `<p>Error code: <code>${escapeHtml(page.message.error)}</code></p>` : ''}
<p>You can close this window.</p>
${script}
</body>
</html>
`;
}
