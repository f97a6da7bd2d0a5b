import { describe, expect, it } from 'vitest';
import { appOrigin, useGateway } from '../support/gateway.js';
import { callbackFor, launch } from '../support/flow.js';

describe('a whole connect flow against the Prism mock of Recall', () => {
  const gateway = useGateway();

  it('connects: 303 to return_to with the connection id, one row stored, one create at Recall', async () => {
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const response = await callbackFor(gateway, launched);
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    expect(location.origin + location.pathname).toBe(`${appOrigin}/settings`);
    expect(location.searchParams.get('zoom_connect')).toBe('connected');
    const connection = await gateway.store.getConnection(location.searchParams.get('connection_id')!);
    expect(connection).toMatchObject({ endUserId: 'user_42', status: 'connected', recallCredentialId: '3e61f7a6-1983-4b88-8a75-c5078831ee16' });
    expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['create']);
  });
});
