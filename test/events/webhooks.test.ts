// Signed outbound events from the running gateway (Prism as Recall), received by a test receiver that verifies
// every signature with the standardwebhooks library: one event per change, in order, after a receiver outage
// and across a restart, and never lost between a committed change and its delivery.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { callback, callbackFor, launch } from '../support/flow.js';
import { testApiKey } from '../support/gateway.js';
import { loadSpec, pointer, schemaValidator } from '../support/spec.js';
import { useHarness, webhookSecret, type HarnessGateway } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

const spec = loadSpec('gateway');
const validate = schemaValidator(spec);
const bodySchema = (type: string) => pointer('webhooks', type, 'post', 'requestBody', 'content', 'application/json', 'schema');

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver(webhookSecret);
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(async () => {
  receiver.deliveries.length = 0;
  receiver.forged.length = 0;
  receiver.status = 200;
  await receiver.up().catch(() => undefined);
});

const webhooks = { pollMs: 10 };

async function connect(gateway: HarnessGateway, endUserId = 'user_42', create = 'code=201, example=created') {
  gateway.recall.prefer('create', create);
  const launched = await launch(gateway, { end_user_id: endUserId });
  const response = await callbackFor(gateway, launched);
  expect(response.statusCode).toBe(303);
  return new URL(String(response.headers.location)).searchParams.get('connection_id')!;
}

async function received(count: number) {
  await vi.waitFor(() => expect(receiver.acknowledged()).toHaveLength(count), { timeout: 5000, interval: 10 });
  expect(receiver.forged).toEqual([]);
  return receiver.acknowledged();
}

describe('signed outbound events', () => {
  const gateway = useHarness({ env: () => ({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: webhookSecret }), app: { webhooks } });

  it('announces a new connection with connection.created, verified by the receiver', async () => {
    const connectionId = await connect(gateway);
    const [event] = await received(1);
    expect(event).toMatchObject({
      type: 'connection.created',
      data: { connection: { id: connectionId, end_user_id: 'user_42', status: 'connected' } },
    });
    expect(validate(bodySchema('connection.created'), event)).toEqual([]);
  });

  it('announces a reconnect with connection.reauthorized', async () => {
    const connectionId = await connect(gateway);
    await connect(gateway);
    const [, event] = await received(2);
    expect(event).toMatchObject({ type: 'connection.reauthorized', data: { connection: { id: connectionId }, identity_changed: false } });
    expect(validate(bodySchema('connection.reauthorized'), event)).toEqual([]);
  });

  it('announces a disconnect with connection.deleted', async () => {
    const connectionId = await connect(gateway);
    const response = await gateway.request({
      method: 'DELETE',
      url: `/v1/connections/${connectionId}`,
      headers: { authorization: `Bearer ${testApiKey}` },
    });
    expect(response.statusCode).toBe(204);
    const [, event] = await received(2);
    expect(event).toMatchObject({ type: 'connection.deleted', data: { connection: { id: connectionId } } });
    expect(validate(bodySchema('connection.deleted'), event)).toEqual([]);
  });

  it('announces a refresh that finds the credential unhealthy with connection.status_changed', async () => {
    const connectionId = await connect(gateway);
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy');
    const response = await gateway.request({
      method: 'POST',
      url: `/v1/connections/${connectionId}/refresh`,
      headers: { authorization: `Bearer ${testApiKey}` },
    });
    expect(response.json()).toMatchObject({ status: 'needs_reauth' });
    const [, event] = await received(2);
    expect(event).toMatchObject({ type: 'connection.status_changed', data: { previous_status: 'connected', status: 'needs_reauth' } });
    expect(validate(bodySchema('connection.status_changed'), event)).toEqual([]);
  });

  it('announces a flow the user declined at Zoom with connect.failed and its code', async () => {
    const launched = await launch(gateway, { end_user_id: 'user_7' });
    await callback(gateway, { error: 'access_denied', state: launched.state }, { [launched.cookie.name]: launched.cookie.value });
    const [event] = await received(1);
    expect(event).toMatchObject({ type: 'connect.failed', data: { end_user_id: 'user_7', connection_id: null, code: 'access_denied' } });
    expect(validate(bodySchema('connect.failed'), event)).toEqual([]);
  });

  it('sends nothing for a replayed callback, which answers its stored outcome', async () => {
    const launched = await launch(gateway);
    await callbackFor(gateway, launched);
    await received(1);
    const replay = await callbackFor(gateway, launched);
    expect(new URL(String(replay.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.acknowledged().map((event) => event.type)).toEqual(['connection.created']);
  });

  it('sends connect.failed once for a failed callback, and nothing for its replay (state_reused)', async () => {
    const launched = await launch(gateway);
    const state = { state: launched.state, error: 'access_denied' };
    const cookies = { [launched.cookie.name]: launched.cookie.value };
    expect(new URL(String((await callback(gateway, state, cookies)).headers.location)).searchParams.get('error')).toBe('access_denied');
    await received(1);
    const replay = await callback(gateway, state, cookies);
    expect(new URL(String(replay.headers.location)).searchParams.get('error')).toBe('state_reused');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.acknowledged().map((event) => event.type)).toEqual(['connect.failed']);
  });

  it('gets every event to a receiver that was down, later and in order', async () => {
    await receiver.down();
    const first = await connect(gateway);
    await gateway.request({ method: 'DELETE', url: `/v1/connections/${first}`, headers: { authorization: `Bearer ${testApiKey}` } });
    // Another credential than the first, which the disconnect deleted at Recall (Recall never reuses an id).
    const second = await connect(gateway, 'user_42', 'code=200, example=reauthorized_existing');
    await vi.waitFor(async () => expect(await gateway.store.outboxBacklog()).toMatchObject({ pending: 3 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await receiver.up();
    gateway.clock.advance(60);
    const events = await received(3);
    expect(events.map((event) => [event.type, 'connection' in event.data ? event.data.connection.id : null])).toEqual([
      ['connection.created', first],
      ['connection.deleted', first],
      ['connection.created', second],
    ]);
  });

  it('still delivers, after a restart, what it had not delivered', async () => {
    await receiver.down();
    const connectionId = await connect(gateway);
    await vi.waitFor(async () => expect(await gateway.store.outboxBacklog()).toMatchObject({ pending: 1 }));
    await gateway.restart();
    await receiver.up();
    gateway.clock.advance(60);
    const [event] = await received(1);
    expect(event).toMatchObject({ type: 'connection.created', data: { connection: { id: connectionId } } });
  });
});

describe('an event and the change it describes', () => {
  // No dispatcher at first: the gateway stops right after the change committed, before any delivery.
  const gateway = useHarness({ env: () => ({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: webhookSecret }), app: { webhooks: false } });

  it('is delivered by the next gateway on the database when the first stopped right after the commit', async () => {
    const connectionId = await connect(gateway);
    expect(await gateway.store.outboxBacklog()).toMatchObject({ pending: 1 });
    await gateway.restart({ webhooks });
    const [event] = await received(1);
    expect(event).toMatchObject({ type: 'connection.created', data: { connection: { id: connectionId } } });
  });
});
