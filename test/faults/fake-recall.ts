// A stateful stand-in for Recall's Zoom OAuth credential API (Zoom's side is fake-zoom.ts), for the fault and
// fuzz suites (Prism answers from examples and keeps no state, so it cannot tell whether the gateway's view
// of the credentials matches Recall's). It keeps Recall's rules: one credential per Zoom identity (the Zoom
// user for a user-level app, the Zoom account for an account-level one), single-use authorization codes, and
// a token exchange that checks the PKCE verifier and the redirect URI the code was issued for.
// It keeps Recall's idempotency too: a POST with an Idempotency-Key already seen (for that path) gets the first
// answer again, or 409 while the first request is still being handled.
// It is a fetch function (in-process, for createRecallClient) and can also listen on 127.0.0.1 over HTTP (for
// a gateway running in another process).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FakeZoom } from './fake-zoom.js';

export { FakeZoom, type ZoomIdentity } from './fake-zoom.js';

export interface FakeCredential {
  id: string;
  oauth_app: string;
  status: 'healthy' | 'unhealthy';
  user_id: string;
  account_id: string;
  access_token_callback_url: null;
  created_at: string;
  meeting_sync_status: 'not_started';
}

export type Reauthorization = 'update' | 'legacy' | 'new_id_old_deleted' | 'new_id_old_kept';

export type RecallOperation = 'create' | 'list' | 'retrieve' | 'delete' | 'validate' | 'logs' | 'app';

export const faultKinds = ['503', '429', 'timeout_before', 'timeout_after', 'reset_before', 'reset_after'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FakeRecallOptions {
  apiKey: string;
  oauthAppId: string;
  zoomClientId: string;
  zoom: FakeZoom;
  kind: 'user_level' | 'account_level';
  /**
   * What a create for a Zoom identity that already has a credential answers: `update` is Recall's current
   * behaviour (200, the same credential); `legacy` is the 400 naming the conflicting Zoom id; `new_id_old_deleted`
   * and `new_id_old_kept` answer 201 with a new credential (a new id) for the identity, Recall deleting the old one
   * itself, or keeping it until it is deleted.
   */
  reauthorization: Reauthorization;
  /** legacy: whether the refused create spent the code anyway (then the gateway must send the user through Zoom again). */
  conflictSpendsCode?: () => boolean;
  /** Credentials per list page; small, so the gateway's cursor-following runs. */
  pageSize?: number;
  baseUrl?: string;
  /** Whether Zoom validated the app's event subscription at Recall (webhook_last_validation); true by default. */
  webhookValidated?: boolean;
  /** Called before Recall acts on a call, and after it acted but before it answers: a test may hold either. */
  gate?: (operation: RecallOperation, phase: 'before' | 'after') => Promise<void> | void;
}

export interface FaultPlan {
  /** Share of calls that fail, 0 to 1. */
  rate: number;
  random: () => number;
  kinds?: readonly FaultKind[];
}

const CREDENTIALS = '/api/v2/zoom-oauth-credentials/';

/** The secrets in the fake app's answer, for tests that look for them where they must never be. */
export const fakeAppSecrets = { clientSecret: 'fake-zoom-client-secret-Qw8Er7Ty6', webhookSecret: 'fake-zoom-webhook-secret-Ui5Op4As3' };

function operationOf(method: string, pathname: string): { operation: RecallOperation; id?: string } | undefined {
  if (pathname === CREDENTIALS) return method === 'POST' ? { operation: 'create' } : method === 'GET' ? { operation: 'list' } : undefined;
  if (pathname === '/api/v2/zoom-oauth-credential-logs/') return method === 'GET' ? { operation: 'logs' } : undefined;
  const validate = /^\/api\/v2\/zoom-oauth-credentials\/([^/]+)\/validate\/$/.exec(pathname);
  if (validate) return method === 'POST' ? { operation: 'validate', id: validate[1] } : undefined;
  const one = /^\/api\/v2\/zoom-oauth-credentials\/([^/]+)\/$/.exec(pathname);
  if (one) return method === 'GET' ? { operation: 'retrieve', id: one[1] } : method === 'DELETE' ? { operation: 'delete', id: one[1] } : undefined;
  const app = /^\/api\/v2\/zoom-oauth-apps\/([^/]+)\/$/.exec(pathname);
  if (app && method === 'GET') return { operation: 'app', id: app[1] };
  return undefined;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const empty = (status: number) => new Response(null, { status, headers: { 'content-length': '0' } });

/** Never answers: only the caller's own deadline ends it (bounded anyway, so a test cannot hang on it). */
function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const bound = setTimeout(() => reject(new Error('FakeRecall: nobody aborted a hung call within 10 s')), 10_000);
    const abort = () => {
      clearTimeout(bound);
      reject(signal?.reason ?? new Error('aborted'));
    };
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}

const connectionReset = () => new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });

export class FakeRecall {
  readonly baseUrl: string;
  readonly credentials = new Map<string, FakeCredential>();
  /** Every call received, with what it got: a status, or the fault injected. */
  readonly calls: { operation: RecallOperation; outcome: number | FaultKind; id?: string }[] = [];
  faults: FaultPlan | undefined;
  /** Authorization codes a create brought to Recall, whatever became of that create. */
  readonly receivedCodes = new Set<string>();
  /** Credentials deleted by a call whose answer was then lost (the gateway could not know they were gone). */
  readonly lostDeletes = new Set<string>();
  /** Recall's log per credential, oldest first: what a test says happened to it. */
  readonly logs = new Map<string, { message: string; created_at: string }[]>();
  /** Answers kept per path and Idempotency-Key ('running' while the first request is handled). */
  readonly idempotency = new Map<string, 'running' | { status: number; body: string }>();
  /** Answers replayed (or refused with 409) for an Idempotency-Key already seen, by status. */
  readonly replays: number[] = [];
  private readonly scripts = new Map<RecallOperation, (FaultKind | null)[]>();
  /** Creation times strictly increase, as Recall's (microseconds) do: the latest credential of an identity is its current one. */
  private lastCreatedMs = 0;

  constructor(private readonly options: FakeRecallOptions) {
    this.baseUrl = options.baseUrl ?? 'https://recall.fake';
  }

  /** The Zoom id Recall keeps one credential per. */
  keyOf(credential: { user_id: string; account_id: string }): string {
    return this.options.kind === 'account_level' ? credential.account_id : credential.user_id;
  }

  /** Recall turns the credential unhealthy and logs why (a revoked authorization, a refused refresh). */
  revoke(credentialId: string, message: string): void {
    const credential = this.credentials.get(credentialId);
    if (!credential) throw new Error(`FakeRecall: no credential ${credentialId}`);
    credential.status = 'unhealthy';
    this.logs.set(credentialId, [...(this.logs.get(credentialId) ?? []), { message, created_at: new Date().toISOString() }]);
  }

  /** The next calls of `operation` get these faults, in order (null: no fault), before any random one. */
  script(operation: RecallOperation, ...faults: (FaultKind | null)[]): void {
    this.scripts.set(operation, [...(this.scripts.get(operation) ?? []), ...faults]);
  }

  private faultFor(operation: RecallOperation): FaultKind | undefined {
    const scripted = this.scripts.get(operation)?.shift();
    if (scripted !== undefined) return scripted ?? undefined;
    return this.faults && this.faults.random() < this.faults.rate ? this.pickFault(this.faults) : undefined;
  }

  /** A fetch for createRecallClient: Recall's answers, with faults injected per `script` and `faults`. */
  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const route = operationOf(request.method, new URL(request.url).pathname);
    const fault = route ? this.faultFor(route.operation) : undefined;
    if (!fault) return this.handle(request);
    this.calls.push({ operation: route!.operation, outcome: fault, id: route!.id });
    switch (fault) {
      case '503':
        return json(503, { detail: 'Service temporarily unavailable, try again later.' });
      case '429':
        return json(429, { detail: 'Request was throttled.' }, { 'retry-after': '1' });
      case 'timeout_before':
        return hang(request.signal);
      case 'timeout_after':
        await this.actThenLoseAnswer(request, route!);
        return hang(request.signal);
      case 'reset_before':
        throw connectionReset();
      case 'reset_after':
        await this.actThenLoseAnswer(request, route!);
        throw connectionReset();
    }
  }) as typeof fetch;

  private async actThenLoseAnswer(request: Request, route: { operation: RecallOperation; id?: string }): Promise<void> {
    const response = await this.handle(request, { record: false });
    if (route.operation === 'delete' && response.status === 204) this.lostDeletes.add(route.id!);
  }

  private pickFault(plan: FaultPlan): FaultKind {
    const kinds = plan.kinds ?? faultKinds;
    return kinds[Math.floor(plan.random() * kinds.length)]!;
  }

  /** Recall acting on one request. */
  async handle(request: Request, { record = true } = {}): Promise<Response> {
    const url = new URL(request.url);
    const route = operationOf(request.method, url.pathname);
    if (!route) return json(404, { detail: 'Not found.' });
    const answer = async () => {
      if (request.headers.get('authorization') !== `Token ${this.options.apiKey}`) return json(401, { detail: 'Invalid token.' });
      if (route.operation === 'create') {
        const body = (await request
          .clone()
          .json()
          .catch(() => undefined)) as CreateBody | undefined;
        if (body?.authorization_code?.code) this.receivedCodes.add(body.authorization_code.code);
      }
      await this.options.gate?.(route.operation, 'before');
      const response = await this.act(route.operation, route.id, url, request);
      await this.options.gate?.(route.operation, 'after');
      return response;
    };
    const response = await this.idempotent(request, url, answer);
    if (record) this.calls.push({ operation: route.operation, outcome: response.status, id: route.id });
    return response;
  }

  /** Recall's idempotency: the first answer to a key is kept and replayed; 409 while it is being made. */
  private async idempotent(request: Request, url: URL, answer: () => Promise<Response>): Promise<Response> {
    const key = request.method === 'POST' ? request.headers.get('idempotency-key') : null;
    if (!key) return answer();
    const id = `${url.pathname}\0${key}`;
    const kept = this.idempotency.get(id);
    if (kept === 'running') {
      this.replays.push(409);
      return json(409, { detail: 'A request with this idempotency key is already being processed.' });
    }
    if (kept) {
      this.replays.push(kept.status);
      return new Response(kept.body, { status: kept.status, headers: { 'content-type': 'application/json' } });
    }
    this.idempotency.set(id, 'running');
    try {
      const response = await answer();
      this.idempotency.set(id, { status: response.status, body: await response.clone().text() });
      return response;
    } catch (error) {
      this.idempotency.delete(id);
      throw error;
    }
  }

  private async act(operation: RecallOperation, id: string | undefined, url: URL, request: Request): Promise<Response> {
    switch (operation) {
      case 'create':
        return this.create((await request.json()) as CreateBody);
      case 'list':
        return this.list(url.searchParams);
      case 'retrieve': {
        const credential = this.credentials.get(id!);
        return credential ? json(200, credential) : json(404, { detail: 'Not found.' });
      }
      case 'delete':
        return this.credentials.delete(id!) ? empty(204) : json(404, { detail: 'Not found.' });
      case 'logs': {
        // Newest first, as the gateway asks (ordering=-created_at).
        const entries = [...(this.logs.get(url.searchParams.get('credential') ?? '') ?? [])].reverse();
        return json(200, { next: null, previous: null, results: entries });
      }
      case 'validate':
        return this.credentials.has(id!) ? empty(200) : json(404, { detail: 'Not found.' });
      case 'app':
        if (id !== this.options.oauthAppId) return json(404, { detail: 'Not found.' });
        // Recall's answer carries the app's secrets: the gateway must never log or store them.
        return json(200, {
          id,
          kind: this.options.kind,
          client_id: this.options.zoomClientId,
          client_secret: fakeAppSecrets.clientSecret,
          webhook_secret: fakeAppSecrets.webhookSecret,
          webhook_last_validation: this.options.webhookValidated === false ? null : '2025-01-09T12:31:44.207893Z',
          created_at: '2025-01-09T12:24:10.551032Z',
        });
    }
  }

  private create(body: CreateBody): Response {
    if (body.oauth_app !== this.options.oauthAppId) return json(400, { detail: 'Unknown oauth_app.' });
    const grant = body.authorization_code;
    const issued = this.options.zoom.exchange(grant.code, grant.code_verifier ?? '', grant.redirect_uri);
    if (issued === 'invalid_grant') return json(400, { detail: 'Failed to exchange the authorization code: invalid_grant' });
    const identity = { user_id: issued.identity.userId, account_id: issued.identity.accountId };
    // The identity's current credential: its latest (with new_id_old_kept, older ones may still be there).
    const existing = [...this.credentials.values()]
      .filter((credential) => this.keyOf(credential) === this.keyOf(identity))
      .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
    if (existing && this.options.reauthorization === 'legacy') {
      if (this.options.conflictSpendsCode?.()) issued.spent = true;
      return json(400, {
        detail: 'A credential for this Zoom identity already exists.',
        ...(this.options.kind === 'account_level'
          ? { conflicting_zoom_account_id: existing.account_id }
          : { conflicting_zoom_user_id: existing.user_id }),
      });
    }
    issued.spent = true;
    if (existing && this.options.reauthorization === 'update') {
      Object.assign(existing, identity, { status: 'healthy' });
      return json(200, existing);
    }
    if (existing && this.options.reauthorization === 'new_id_old_deleted') this.credentials.delete(existing.id);
    this.lastCreatedMs = Math.max(Date.now(), this.lastCreatedMs + 1);
    const credential: FakeCredential = {
      id: randomUUID(),
      oauth_app: this.options.oauthAppId,
      status: 'healthy',
      ...identity,
      access_token_callback_url: null,
      created_at: new Date(this.lastCreatedMs).toISOString(),
      meeting_sync_status: 'not_started',
    };
    this.credentials.set(credential.id, credential);
    return json(201, credential);
  }

  private list(query: URLSearchParams): Response {
    if (query.get('oauth_app') !== this.options.oauthAppId) return json(400, { detail: 'oauth_app is required.' });
    const matches = [...this.credentials.values()].filter(
      (credential) =>
        (!query.has('user_id') || credential.user_id === query.get('user_id')) &&
        (!query.has('account_id') || credential.account_id === query.get('account_id')) &&
        (!query.has('status') || credential.status === query.get('status')),
    );
    const pageSize = this.options.pageSize ?? 2;
    const offset = Number(query.get('cursor') ?? '0');
    const results = matches.slice(offset, offset + pageSize);
    const next = offset + pageSize < matches.length ? `${this.baseUrl}${CREDENTIALS}?cursor=${offset + pageSize}` : null;
    return json(200, { next, previous: null, results });
  }

  /** Serves Recall over HTTP on 127.0.0.1 (a free port), for a gateway in another process. */
  async listen(): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const request = new Request(`http://127.0.0.1${incoming.url}`, { method: incoming.method, headers, body });
        this.handle(request)
          .then(async (response) => {
            outgoing.writeHead(response.status, Object.fromEntries(response.headers));
            outgoing.end(Buffer.from(await response.arrayBuffer()));
          })
          .catch(() => outgoing.destroy());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}

interface CreateBody {
  oauth_app: string;
  authorization_code: { code: string; redirect_uri: string; code_verifier?: string };
}

/** A seeded PRNG (mulberry32): a failing run is replayed with the seed it prints. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds the n-th answered create (counting every create Recall answers) until released. */
export function holdCreate(n: number) {
  let answered = 0;
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const gate = async (operation: RecallOperation, phase: 'before' | 'after') => {
    if (operation !== 'create' || phase !== 'after') return;
    answered += 1;
    if (answered === n) {
      reached();
      await released;
    }
  };
  return { gate, held, release };
}
