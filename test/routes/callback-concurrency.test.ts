// One state, many callbacks: a double-click, a reload, a replayed URL. The state is consumed atomically, so
// exactly one callback reaches Recall; every other one answers state_reused while it runs, or, once it has
// connected, its stored outcome.
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useGateway } from '../support/gateway.js';
import { callbackFor, launch } from '../support/flow.js';

const resultOf = (response: LightMyRequestResponse) => Object.fromEntries(new URL(String(response.headers.location)).searchParams);

describe('concurrent and replayed callbacks', () => {
  const gateway = useGateway();

  it('lets exactly one of 20 concurrent callbacks carrying one state proceed; the others answer state_reused (or its outcome)', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const responses = await Promise.all(Array.from({ length: 20 }, () => callbackFor(gateway, launched)));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(303));
    const results = responses.map(resultOf);
    const winners = results.filter((result) => result.zoom_connect === 'connected');
    expect(new Set(winners.map((result) => result.connection_id)).size).toBe(1);
    expect(results.filter((result) => result.zoom_connect !== 'connected').every((result) => result.error === 'state_reused')).toBe(true);
    expect(results.filter((result) => result.error === 'state_reused').length).toBeGreaterThan(0);
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
    expect(await gateway.store.listConnections({ limit: 100 })).toEqual([
      expect.objectContaining({ id: winners[0]!.connection_id, endUserId: 'user_42' }),
    ]);
  });

  it('never reaches Recall again when a finished callback is replayed in the same browser, and answers it connected again', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const first = await callbackFor(gateway, launched);
    const connection = await gateway.store.getConnection(resultOf(first).connection_id!);
    gateway.clock.advance(30);
    const replay = await callbackFor(gateway, launched);
    expect(replay.statusCode).toBe(303);
    expect(resultOf(replay)).toEqual({ zoom_connect: 'connected', connection_id: connection!.id });
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
    expect(await gateway.store.listConnections({ limit: 100 })).toEqual([connection]);
  });

  it('never reaches Recall again when a failed callback is replayed', async () => {
    gateway.recall.prefer('create', 'code=400, example=invalid_grant');
    const launched = await launch(gateway);
    expect(resultOf(await callbackFor(gateway, launched)).error).toBe('recall_invalid_grant');
    const replay = await callbackFor(gateway, launched);
    expect(resultOf(replay)).toEqual({ zoom_connect: 'error', error: 'state_reused' });
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create']);
  });

  it('lets two flows started in two tabs both finish, each with its own cookie', async () => {
    gateway.recall.prefer('create', 'code=200, example=reauthorized_existing', 'code=200, example=reauthorized_existing');
    const first = await launch(gateway);
    const second = await launch(gateway, { end_user_id: 'user_43' });
    expect(first.cookie.name).not.toBe(second.cookie.name);
    const cookies = { [first.cookie.name]: first.cookie.value, [second.cookie.name]: second.cookie.value };
    const answers = await Promise.all(
      [first, second].map((launched) =>
        gateway.request({ method: 'GET', url: `/v1/connect/zoom/callback?code=c&state=${encodeURIComponent(launched.state)}`, cookies }),
      ),
    );
    expect(answers.map((answer) => resultOf(answer).zoom_connect)).toEqual(['connected', 'connected']);
    expect(gateway.recall.calls.map((call) => call.operation)).toEqual(['create', 'create']);
  });
});
