// Why a credential went unhealthy (Prism's examples): when a connection turns needs_reauth, in the health sync
// or a refresh, the gateway reads the credential's latest log entry at Recall and keeps it, in short, on the
// connection (reauth_reason) and in its connection.status_changed event; once per change, not on every run.
import { describe, expect, it } from 'vitest';
import { eventBody } from '../../src/events/payload.js';
import { UNHEALTHY_WITHOUT_LOG } from '../../src/recall/credential-logs.js';
import { createHealthSync } from '../../src/health/scheduler.js';
import { connectionOn, credentialSnapshot, useHarness, webhookSecret, type HarnessGateway } from '../events/harness.js';
import { testApiKey } from '../support/gateway.js';

// The Prism story (openapi/recall.yaml): 15af756b-… is listed unhealthy, and its log (example `revoked`) says why.
const revokedCredential = '15af756b-f524-4e70-8cc9-74f772d4c94c';
const retrievedCredential = 'e96244cc-23c8-43cf-b039-59b2526ab397';
const revokedMessage =
  'Failed to refresh the Zoom access token: invalid_grant (Invalid Token!). The Zoom user may have revoked access or uninstalled the app.';

/** The credentials of these tests: on the Zoom account of Recall's examples, meetings synced. */
const onAcme = { accountId: 'Qo2hX07epz8S0xQpWGvtVg', meetingSyncStatus: 'completed' } as const;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const tick = (gateway: HarnessGateway) =>
  createHealthSync(
    { config: gateway.config, store: gateway.store, recall: gateway.recallApi, now: () => gateway.clock.now, log: quiet },
    { intervalMs: 60_000 },
  ).tick();
const logCalls = (gateway: HarnessGateway) => gateway.recall.calls.filter((call) => call.operation === 'logs');

describe('the reason a connection needs a new authorization', () => {
  const gateway = useHarness({ env: () => ({ WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: webhookSecret }) });

  it("keeps the latest entry of Recall's log when the health sync turns a connection needs_reauth, and says it in the event", async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(revokedCredential, onAcme));
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    gateway.recall.prefer('logs', 'code=200, example=revoked');
    expect(await tick(gateway)).toMatchObject({ outcome: 'ok' });
    expect(await gateway.store.getConnection(connection.id)).toMatchObject({ status: 'needs_reauth', reauthReason: revokedMessage });
    const [logs] = logCalls(gateway);
    expect(Object.fromEntries(new URL(logs!.path, 'http://recall').searchParams)).toEqual({ credential: revokedCredential, ordering: '-created_at' });
    const [claimed] = await gateway.store.claimEvents({ holder: 'test', now: gateway.clock.now.toISOString(), leaseMs: 60_000, limit: 10 });
    const body = eventBody(claimed!);
    expect(body).toMatchObject({
      type: 'connection.status_changed',
      data: { status: 'needs_reauth', connection: { reauth_reason: revokedMessage } },
    });
  });

  it('reads the log once: a credential that stays unhealthy costs no more calls on later runs', async () => {
    await connectionOn(gateway, 'user_42', credentialSnapshot(revokedCredential, onAcme));
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page', 'code=200, example=conflicting_account_page');
    gateway.recall.prefer('logs', 'code=200, example=revoked');
    await tick(gateway);
    gateway.clock.advance(120);
    await tick(gateway);
    expect(logCalls(gateway)).toHaveLength(1);
  });

  it('says Recall logged no reason when its log is empty, or cannot be read', async () => {
    const one = await connectionOn(gateway, 'user_1', credentialSnapshot(revokedCredential, onAcme));
    gateway.recall.prefer('list', 'code=200, example=conflicting_account_page');
    gateway.recall.prefer('logs', 'code=200, example=no_logs');
    await tick(gateway);
    expect((await gateway.store.getConnection(one.id))?.reauthReason).toBe(UNHEALTHY_WITHOUT_LOG);

    const connection = await connectionOn(gateway, 'user_2', credentialSnapshot(retrievedCredential, onAcme));
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy');
    gateway.recall.prefer('logs', ...Array<string>(4).fill('code=503, example=unavailable'));
    const response = await gateway.request({
      method: 'POST',
      url: `/v1/connections/${connection.id}/refresh`,
      headers: { authorization: `Bearer ${testApiKey}` },
    });
    expect(response.json()).toMatchObject({ status: 'needs_reauth', reauth_reason: UNHEALTHY_WITHOUT_LOG });
  });

  it('is kept by a refresh that finds the credential unhealthy, and cleared once Recall calls it healthy again', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(retrievedCredential, onAcme));
    const refresh = () =>
      gateway.request({ method: 'POST', url: `/v1/connections/${connection.id}/refresh`, headers: { authorization: `Bearer ${testApiKey}` } });
    gateway.recall.prefer('retrieve', 'code=200, example=unhealthy', 'code=200, example=unhealthy', 'code=200, example=healthy');
    gateway.recall.prefer('logs', 'code=200, example=revoked');
    expect((await refresh()).json()).toMatchObject({ status: 'needs_reauth', reauth_reason: revokedMessage });
    // Already needs_reauth with its reason: the second refresh reads no log.
    expect((await refresh()).json()).toMatchObject({ status: 'needs_reauth', reauth_reason: revokedMessage });
    expect(logCalls(gateway)).toHaveLength(1);
    expect((await refresh()).json()).toMatchObject({ status: 'connected', reauth_reason: null });
  });

  it('says the credential is gone when Recall no longer has it', async () => {
    const connection = await connectionOn(gateway, 'user_42', credentialSnapshot(retrievedCredential, { ...onAcme, status: 'unhealthy' }));
    gateway.recall.prefer('list', 'code=200, example=empty_page');
    gateway.recall.prefer('retrieve', 'code=404, example=not_found');
    await tick(gateway);
    expect(await gateway.store.getConnection(connection.id)).toMatchObject({
      status: 'needs_reauth',
      recallCredentialId: null,
      reauthReason: expect.stringContaining('Recall no longer has'),
    });
  });
});
