import { describe, expect, it } from 'vitest';
import { bindingCookieName } from '../../src/connect/binding-cookie.js';
import { hashSecret, randomSecret, secretLookupKey } from '../../src/connect/secrets.js';
import { appOrigin, useGateway } from '../support/gateway.js';
import { callback, callbackFor, createSession, launch } from '../support/flow.js';

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

  describe('the state', () => {
    it('begins with the launch time, and the store keeps that time and the hash of the state, never the state', async () => {
      const launched = await launch(gateway);
      const [time, random] = launched.state.split('.');
      expect(time).toBe(gateway.clock.now.getTime().toString(36).padStart(9, '0'));
      expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Found by its time and hash alone; the hash alone (or the random part alone) finds nothing.
      expect(await gateway.store.consumeFlow(hashSecret(launched.state), gateway.clock.now.toISOString())).toEqual({ outcome: 'unknown' });
      expect(await gateway.store.consumeFlow(`${time}.${hashSecret(random!)}`, gateway.clock.now.toISOString())).toEqual({ outcome: 'unknown' });
      const claim = await gateway.store.consumeFlow(`${time}.${hashSecret(launched.state)}`, gateway.clock.now.toISOString());
      expect(claim).toMatchObject({ outcome: 'consumed', flow: { stateHash: `${time}.${hashSecret(launched.state)}` } });
    });

    it('sorts by launch time, so the store indexes each new flow at the end', async () => {
      const first = await launch(gateway);
      gateway.clock.advance(1);
      const second = await launch(gateway);
      expect(secretLookupKey(first.state) < secretLookupKey(second.state)).toBe(true);
    });

    it('still finishes a flow stored by an earlier version, whose state has no time in front', async () => {
      gateway.recall.prefer('create', 'code=201, example=created');
      const { token } = await createSession(gateway);
      const session = (await gateway.store.findSessionByToken(hashSecret(token)))!;
      const state = randomSecret();
      const binding = randomSecret();
      const now = gateway.clock.now;
      const flow = {
        id: randomSecret(12),
        stateHash: hashSecret(state),
        bindingHash: hashSecret(binding),
        sessionId: session.id,
        codeVerifier: randomSecret(),
        issuer: 'https://zoom.us',
        attempt: 1,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 600_000).toISOString(),
        consumedAt: null,
      };
      await gateway.store.createFlow(flow);
      const cookie = { [bindingCookieName(flow.id, gateway.config.secureCookies)]: binding };
      const response = await callback(gateway, { code: 'zoom-authorization-code', state }, cookie);
      expect(response.statusCode).toBe(303);
      expect(new URL(String(response.headers.location)).searchParams.get('zoom_connect')).toBe('connected');
      expect(gateway.recall.calls.map((c) => c.operation)).toEqual(['create']);
    });
  });
});
