// Two real gateway processes behind one public URL, on one PostgreSQL database, sharing one Recall and one
// webhook receiver: what a user starts on one instance finishes on the other, single-use secrets stay single
// use across both, each outbox event is delivered once, and the health sync runs on one instance at a time.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOauthAppId, demoZoomClientId } from '../../src/config.js';
import { freePort } from '../support/free-port.js';
import { freshDatabase, type FreshDatabase } from '../support/postgres.js';
import {
  browse,
  consentLink,
  Jar,
  launchFrom,
  startGateway,
  startRecordingRecall,
  startWebhookReceiver,
  startZoomConsentPage,
  through,
  type GatewayProcess,
  type RecordingRecall,
} from './instances.js';

const apiKey = 'multi-instance-api-key-0001';
const poolSize = 3;
const appOrigin = 'https://app.example.com';

let database: FreshDatabase;
let recall: RecordingRecall;
let zoom: Awaited<ReturnType<typeof startZoomConsentPage>>;
let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
let a: GatewayProcess;
let b: GatewayProcess;
/** The load balancer's address: what users, Zoom and Recall know the gateway by. */
let publicUrl: string;

beforeAll(async () => {
  database = await freshDatabase();
  recall = await startRecordingRecall();
  publicUrl = `http://127.0.0.1:${await freePort()}`;
  const redirectUri = `${publicUrl}/v1/connect/zoom/callback`;
  zoom = await startZoomConsentPage({ clientId: demoZoomClientId, redirectUri });
  webhooks = await startWebhookReceiver(webhookSecret);
  const env = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: String(poolSize),
    PUBLIC_URL: publicUrl,
    ZOOM_REDIRECT_URI: redirectUri,
    ZOOM_AUTHORIZE_URL: zoom.authorizeUrl,
    ZOOM_CLIENT_ID: demoZoomClientId,
    RECALL_API_KEY: 'multi-instance-recall-key',
    RECALL_BASE_URL: recall.url,
    RECALL_ZOOM_OAUTH_APP_ID: demoOauthAppId,
    GATEWAY_API_KEYS: apiKey,
    ALLOWED_RETURN_ORIGINS: appOrigin,
    WEBHOOK_URL: webhooks.url,
    WEBHOOK_SECRET: webhookSecret,
    // Every second, so a few seconds show which instance runs it.
    HEALTH_SYNC_INTERVAL_S: '1',
    LOG_LEVEL: 'info',
  };
  // Both start at once on the empty database: one migrates, the other waits and finds it done.
  [a, b] = await Promise.all([startGateway(await freePort(), env), startGateway(await freePort(), env)]);
}, 120_000);

afterAll(async () => {
  const exits = await Promise.all([a?.stop(), b?.stop()]);
  await zoom?.close();
  await webhooks?.close();
  await recall?.close();
  await database?.drop();
  expect(exits.filter((code) => code !== undefined)).toEqual([0, 0]);
}, 60_000);

async function createSession(instance: GatewayProcess, endUserId: string): Promise<{ token: string; connect_url: string }> {
  const response = await fetch(`${instance.origin}/v1/connect-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ end_user_id: endUserId, return_to: `${appOrigin}/settings` }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { token: string; connect_url: string };
}

/** Session and launch on `instance`, then the consent page: the Allow link and the browser that holds the flow. */
async function launchOn(instance: GatewayProcess, endUserId: string) {
  const session = await createSession(instance, endUserId);
  expect(session.connect_url.startsWith(`${publicUrl}/v1/connect/zoom?launch=`)).toBe(true);
  const jar = new Jar();
  const launched = await launchFrom(appOrigin, through(instance, session.connect_url), jar);
  expect(launched.status).toBe(303);
  const allow = await consentLink(launched.headers.get('location')!, jar);
  expect(allow.startsWith(`${publicUrl}/v1/connect/zoom/callback?`)).toBe(true);
  return { session, jar, allow };
}

/** A whole connect flow for one end user: session and launch on `launchOn`, the callback on `callbackOn`. */
async function connect(endUserId: string, launchOnInstance: GatewayProcess, callbackOn: GatewayProcess): Promise<string> {
  const { jar, allow } = await launchOn(launchOnInstance, endUserId);
  const result = landing(await browse(through(callbackOn, allow), jar));
  expect(result.get('zoom_connect')).toBe('connected');
  return result.get('connection_id')!;
}

/** A query on the instances' database, from outside them. */
async function queryRows<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const outboxRows = () => queryRows<{ id: string; status: string; attempts: number }>('select id, status, attempts from outbox_events order by seq');

async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function landing(response: Response): URLSearchParams {
  expect(response.status).toBe(303);
  const back = new URL(response.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(`${appOrigin}/settings`);
  return back.searchParams;
}

describe('two gateway instances on one PostgreSQL', () => {
  it('completes on B a flow launched on A: the user is connected, as both instances say', async () => {
    const createsBefore = recall.creates();
    const { session, jar, allow } = await launchOn(a, 'user-launched-on-a');

    const result = landing(await browse(through(b, allow), jar));
    expect(result.get('zoom_connect')).toBe('connected');
    const connectionId = result.get('connection_id')!;
    expect(recall.creates() - createsBefore).toBe(1);

    const viaA = await fetch(`${a.origin}/v1/connections/${connectionId}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(viaA.status).toBe(200);
    expect(await viaA.json()).toMatchObject({ id: connectionId, end_user_id: 'user-launched-on-a', status: 'connected' });
    const viaB = await fetch(`${b.origin}/v1/me/connection`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(await viaB.json()).toMatchObject({ id: connectionId, status: 'connected' });
  });

  it('lets exactly one of 20 concurrent callbacks carrying one state, spread over both, reach Recall', async () => {
    const createsBefore = recall.creates();
    const { jar, allow } = await launchOn(b, 'user-with-a-jittery-browser');

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => browse(through(i % 2 === 0 ? a : b, allow), jar)));
    const outcomes = answers.map((answer) => {
      const result = landing(answer);
      return result.get('zoom_connect') === 'connected' ? `connected ${result.get('connection_id')}` : result.get('error');
    });
    // The others answer state_reused while the one that won runs, or its stored outcome once it has connected.
    const connected = outcomes.filter((outcome) => outcome?.startsWith('connected'));
    expect(new Set(connected).size).toBe(1);
    expect(outcomes.filter((outcome) => outcome === 'state_reused')).toHaveLength(20 - connected.length);
    expect(recall.creates() - createsBefore).toBe(1);
  });

  it('has kept at most DATABASE_POOL_SIZE database connections per instance through that burst', async () => {
    // An idle connection stays in its pool for 10 s: right after the burst, the pools are as large as they got.
    const sessions = await queryRows<{ count: number }>(
      "select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'zoom-connect-gateway'",
    );
    expect(sessions[0]!.count).toBeGreaterThan(0);
    expect(sessions[0]!.count).toBeLessThanOrEqual(2 * poolSize);
  });

  it('spends a launch code on A for good: opened again on B, it sends the browser back with session_used', async () => {
    const session = await createSession(a, 'user-who-clicks-twice');
    expect((await launchFrom(appOrigin, through(a, session.connect_url), new Jar())).headers.getSetCookie()).toHaveLength(1);
    const again = landing(await launchFrom(appOrigin, through(b, session.connect_url), new Jar()));
    expect(again.get('zoom_connect')).toBe('error');
    expect(again.get('error')).toBe('session_used');
  });

  it('delivers each outbox event once, though both instances deliver the outbox', async () => {
    // Twelve end users connect at once, their flows spread over both instances: twelve connection.created
    // events for the two dispatchers, besides those of the tests above.
    await Promise.all(Array.from({ length: 12 }, (_, i) => connect(`user-${i}-of-a-burst`, i % 2 ? a : b, i % 2 ? b : a)));
    await eventually(async () => (await outboxRows()).every((row) => row.status !== 'pending'), 'every outbox event delivered');

    const rows = await outboxRows();
    expect(rows.filter((row) => row.status === 'delivered')).toHaveLength(rows.length);
    expect(rows.every((row) => Number(row.attempts) === 1)).toBe(true);
    expect(webhooks.deliveries.map((delivery) => delivery.id).sort()).toEqual(rows.map((row) => row.id).sort());
    expect(webhooks.deliveries.filter((delivery) => delivery.type === 'connection.created').length).toBeGreaterThanOrEqual(14);
    expect(webhooks.deliveries.every((delivery) => delivery.signed)).toBe(true);
  });

  it('runs the health sync on one instance only, and on the other once the first stops', async () => {
    const runs = () => [a.logged('health sync done'), b.logged('health sync done')];
    await eventually(() => Math.max(...runs()) >= 3, 'three health sync runs');
    const [leader, follower] = runs()[0]! > 0 ? [a, b] : [b, a];
    expect(follower.logged('health sync done')).toBe(0);
    expect(
      recall.calls.filter((call) => call.startsWith('GET /api/v2/zoom-oauth-credentials/?') && call.includes('status=unhealthy')).length,
    ).toBeGreaterThanOrEqual(3);

    // The leader hands its lease back as it stops; the other instance takes the sync over.
    expect(await leader.stop()).toBe(0);
    await eventually(() => follower.logged('health sync done') >= 2, 'the other instance running the health sync');
  });
});
