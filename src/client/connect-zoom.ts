// Connecting in a popup or with a full redirect. The gateway starts a flow only for a form POST to connect_url
// from the app's own page (its Origin must be allowed): a link to connect_url does nothing, so a connect link
// handed to someone else's browser cannot connect their Zoom account. So the popup is opened blank and named,
// before anything is awaited (it still counts as the click's own: Safari blocks a window.open that comes after
// an await), and the launch form is submitted into it, by name; in redirect mode (or when the popup is
// blocked) the form is submitted from this page. The popup's message is a hint: a success is confirmed by
// GET /v1/me/connection, and after a close or a timeout that call decides (a COOP page on the way can hide both
// the message and the window's state).
import type { Connection, ConnectMode, ConnectResultMessage, ConnectSession } from '../../generated/gateway/types.gen.js';
import { asProblemCode, ZoomConnectError } from './errors.js';
import { getMyConnection, getMySession, type GatewaySession } from './me-connection.js';

export type ConnectSessionLink = Pick<ConnectSession, 'connect_url' | 'token'>;

interface FlowOptions {
  /** `popup` (the default) or `redirect`. */
  mode?: ConnectMode;
  /** How long the popup may stay open (default 5 minutes). */
  timeoutMs?: number;
  /** When the browser blocks the popup: `true` (the default) connects with a full redirect instead. */
  redirectFallback?: boolean;
}

export type ConnectZoomOptions = FlowOptions &
  (
    | {
        /** connect_url of a connect session made for this mode, with return_to on this page. */
        connectUrl: string;
        /** That session's token. */
        token: string;
      }
    | {
        /**
         * Makes the connect session (your backend: POST /v1/connect-sessions) for the mode actually used:
         * called once the popup is open (or known to be blocked), so it may take its time.
         */
        session: (mode: ConnectMode) => PromiseLike<ConnectSessionLink>;
      }
  );

const resultType: ConnectResultMessage['type'] = 'zoom-connect:result';

/** The popup's window name: the launch form is submitted into the window of that name. */
const popupName = 'zoom-connect';

/**
 * The launch: a form POST to connect_url (the launch code is in its query), into the named window or this
 * page (`_self`). The browser sends this page's Origin with it, which is what the gateway checks.
 */
function submitLaunch(connectUrl: string, target: string): void {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = connectUrl;
  form.target = target;
  form.hidden = true;
  document.body.appendChild(form);
  form.submit();
  form.remove();
}

/**
 * Call it directly from a click handler, before any `await`. Popup: resolves with the connection, or rejects
 * with a ZoomConnectError. Redirect: the page leaves for Zoom and the promise never settles; the outcome comes
 * back in return_to's query (readRedirectResult).
 */
export function connectZoom(options: ConnectZoomOptions): Promise<Connection> {
  const direct = 'connectUrl' in options ? { connect_url: options.connectUrl, token: options.token } : undefined;
  const popup = options.mode === 'redirect' ? null : window.open('about:blank', popupName, 'popup,width=520,height=720');
  if (!popup && options.mode !== 'redirect' && options.redirectFallback === false) {
    return Promise.reject(new ZoomConnectError('popup_blocked', 'The browser blocked the Zoom window.'));
  }
  // With a session in hand, the form goes at once, still inside the click.
  if (direct) submitLaunch(direct.connect_url, popup ? popupName : '_self');
  return (async () => {
    let link: ConnectSessionLink;
    try {
      link = 'session' in options ? await options.session(popup ? 'popup' : 'redirect') : direct!;
    } catch (error) {
      popup?.close();
      throw error;
    }
    if (!direct) submitLaunch(link.connect_url, popup ? popupName : '_self');
    if (!popup) return new Promise<never>(() => {});
    const gateway: GatewaySession = { baseUrl: link.connect_url.split('/v1/connect/zoom')[0]!, token: link.token };
    return waitForPopup(popup, gateway, options.timeoutMs ?? 300_000);
  })();
}

function waitForPopup(popup: Window, gateway: GatewaySession, timeoutMs: number): Promise<Connection> {
  const origin = new URL(gateway.baseUrl).origin;
  // The connection as it was (null: none; asked through /v1/me/session, whose "none" is no 404 in the console).
  const connectionNow = () =>
    getMySession(gateway).then(
      (session) => session.connection ?? undefined,
      () => undefined,
    );
  // The connection as it was before: a reconnect that was abandoned must not pass for a new one.
  const before = connectionNow();
  return new Promise((resolve, reject) => {
    let settled = false;
    // The first outcome to settle wins: a message that arrives while the server is asked still counts.
    const settle = (outcome: Promise<Connection>) =>
      outcome.then(
        (connection) => !settled && (done(), resolve(connection)),
        (error: unknown) => !settled && (done(), reject(error)),
      );
    const done = () => {
      settled = true;
      window.removeEventListener('message', onMessage);
      clearInterval(poll);
      clearTimeout(timer);
    };
    // After a close or a timeout, the server decides: connected since the popup opened, or the client's code.
    const askServer = (code: 'window_closed' | 'timeout') =>
      Promise.all([before, connectionNow()]).then(([then, now]) => {
        if (now && now.updated_at !== then?.updated_at) return now;
        throw new ZoomConnectError(code, code === 'timeout' ? 'The Zoom window did not answer in time.' : 'The Zoom window was closed.');
      });
    const onMessage = (event: MessageEvent) => {
      const message = event.data as Partial<ConnectResultMessage> | null;
      // Only the gateway's exact origin, only our popup, only our message type (RFC 9700 §4.17).
      if (event.origin !== origin || event.source !== popup || message?.type !== resultType) return;
      void settle(message.ok ? getMyConnection(gateway) : Promise.reject(new ZoomConnectError(asProblemCode(message.error, 'internal_error'))));
    };
    window.addEventListener('message', onMessage);
    const poll = setInterval(() => {
      if (!popup.closed) return;
      clearInterval(poll);
      void settle(askServer('window_closed'));
    }, 400);
    const timer = setTimeout(() => {
      popup.close();
      void settle(askServer('timeout'));
    }, timeoutMs);
  });
}
