// A browser for the client's unit tests: a fake window (window.open, location, history, message events), a
// fake document whose forms record their submission, a fake popup, and a fake fetch answering GET/DELETE
// /v1/me/connection from a queue. Installed as globals.
import { afterEach, beforeEach, vi } from 'vitest';
import type { Connection, Problem } from '../../generated/gateway/types.gen.js';

export const appUrl = 'https://app.example.com/settings';
export const gatewayUrl = 'https://connect.example.com';
export const connectUrl = `${gatewayUrl}/v1/connect/zoom?launch=launch-code`;
export const token = 'session-token';

export function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: '4514327a-fb47-471b-a0b3-4f1f2300723a',
    end_user_id: 'user_42',
    status: 'connected',
    recall_credential_id: '3e61f7a6-1983-4b88-8a75-c5078831ee16',
    recall_status: 'healthy',
    zoom_user_id: '85bc3ZZhXp48OwjsJzJpXQ',
    zoom_account_id: null,
    meeting_sync_status: 'not_started',
    created_at: '2026-11-29T10:00:00.000Z',
    updated_at: '2026-11-29T10:00:00.000Z',
    last_checked_at: '2026-11-29T10:00:00.000Z',
    reauth_reason: null,
    ...overrides,
  };
}

export class FakePopup {
  closed = false;
  readonly location = { href: '' };
  close(): void {
    this.closed = true;
  }
}

export interface Submitted {
  method: string;
  action: string;
  target: string;
  /** Whether the form was in the document when it was submitted (browsers submit only attached forms). */
  attached: boolean;
}

class FakeForm {
  method = 'get';
  action = '';
  target = '';
  hidden = false;
  constructor(private readonly document: FakeDocument) {}
  submit(): void {
    this.document.submitted.push({ method: this.method, action: this.action, target: this.target, attached: this.document.holds(this) });
  }
  remove(): void {
    this.document.detach(this);
  }
}

export class FakeDocument {
  readonly submitted: Submitted[] = [];
  private readonly children = new Set<FakeForm>();
  readonly body = { appendChild: (form: FakeForm) => this.children.add(form) };
  createElement(tag: string): FakeForm {
    if (tag !== 'form') throw new Error(`FakeDocument: no <${tag}>`);
    return new FakeForm(this);
  }
  holds(form: FakeForm): boolean {
    return this.children.has(form);
  }
  detach(form: FakeForm): void {
    this.children.delete(form);
  }
  /** Forms still in the document. */
  get leftOver(): number {
    return this.children.size;
  }
}

type Listener = (event: MessageEvent) => void;

export class FakeWindow {
  /** What window.open returns: a popup, or null when "the browser blocks it". */
  popup: FakePopup | null = new FakePopup();
  readonly opened: { url: string; target: string; features: string }[] = [];
  readonly assigned: string[] = [];
  readonly replaced: string[] = [];
  private readonly listeners = new Set<Listener>();

  readonly location = {
    href: appUrl,
    assign: (url: string) => {
      this.assigned.push(url);
    },
  };
  readonly history = {
    state: { app: 'state' } as unknown,
    replaceState: (state: unknown, _title: string, url: string) => {
      this.history.state = state;
      this.location.href = new URL(url, this.location.href).href;
      this.replaced.push(this.location.href);
    },
  };

  open(url: string, target: string, features: string): FakePopup | null {
    this.opened.push({ url, target, features });
    return this.popup;
  }
  addEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.add(listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.delete(listener);
  }
  get messageListeners(): number {
    return this.listeners.size;
  }
  /** A message event as the browser would deliver it to this window. */
  post(data: unknown, origin = gatewayUrl, source: unknown = this.popup): void {
    for (const listener of [...this.listeners]) listener({ data, origin, source } as MessageEvent);
  }
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  /** A text body that is not JSON (a proxy's error page). */
  text?: string;
}

export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** Answers in order; past the queue, the last answer again. A queued Error makes fetch reject. */
export class FakeFetch {
  readonly calls: FetchCall[] = [];
  private readonly answers: (FakeAnswer | Error)[] = [];

  answer(...answers: (FakeAnswer | Error)[]): void {
    this.answers.push(...answers);
  }

  readonly fetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    this.calls.push({ url: String(input), method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers).entries()) });
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (!next) throw new Error(`FakeFetch: no answer queued for ${String(input)}`);
    if (next instanceof Error) throw next;
    // A plain object rather than a Response: no stream machinery, so fake timers flush everything.
    const text = next.text ?? (next.body === undefined ? '' : JSON.stringify(next.body));
    return { ok: next.status >= 200 && next.status < 300, status: next.status, json: async () => JSON.parse(text) as unknown } as Response;
  };
}

export const found = (body: Connection = connection()): FakeAnswer => ({ status: 200, body });

export const problem = (code: Problem['code'], status: number): FakeAnswer => ({
  status,
  body: { type: `urn:zoom-connect-gateway:problem:${code}`, title: code, status, detail: `detail of ${code}`, code } satisfies Problem,
});

export const notConnected = () => problem('not_connected', 404);

/** GET /v1/me/session's answer: the session, with `connection` (null: none). */
export const mySession = (connection: Connection | null = null): FakeAnswer => ({
  status: 200,
  body: { end_user_id: 'user_42', expires_at: '2026-11-29T10:30:00.000Z', connection },
});

/** For a test file: a fresh fake window and fetch for every test, installed as the globals the client uses. */
export function useFakeBrowser(): { readonly window: FakeWindow; readonly document: FakeDocument; readonly fetch: FakeFetch } {
  let current: { window: FakeWindow; document: FakeDocument; fetch: FakeFetch } | undefined;
  beforeEach(() => {
    current = { window: new FakeWindow(), document: new FakeDocument(), fetch: new FakeFetch() };
    vi.stubGlobal('window', current.window);
    vi.stubGlobal('document', current.document);
    vi.stubGlobal('fetch', current.fetch.fetch);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    current = undefined;
  });
  return {
    get window() {
      return current!.window;
    },
    get document() {
      return current!.document;
    },
    get fetch() {
      return current!.fetch;
    },
  };
}

/** Follows a promise without awaiting it: `state` says whether it settled yet. */
export function track<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const tracked: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(tracked, { state: 'resolved', value }),
    (error: unknown) => Object.assign(tracked, { state: 'rejected', error }),
  );
  return tracked;
}
