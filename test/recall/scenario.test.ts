// The scenario helper itself: the gateway's integration tests will lean on it, so its promises are checked here.
import { describe, expect, it } from 'vitest';
import { usePrism } from '../support/prism.js';
import { recallScenario } from '../support/recall-scenario.js';
import { appId, existingId } from './fixtures.js';

const prism = usePrism('recall');
const auth = { Authorization: 'Token scenario-key' };

describe('recallScenario', () => {
  it('sends queued Prefer values one per call of their operation, then none', async () => {
    const scenario = recallScenario(prism.url);
    scenario.prefer('retrieve', 'code=200, example=unhealthy', 'code=404, example=not_found');
    scenario.prefer('app', 'code=200, example=account_level');
    const retrieve = () => scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/${existingId}/`, { headers: auth });
    const statuses = [];
    for (const _ of [1, 2, 3]) statuses.push((await retrieve()).status);
    const app = await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-apps/${appId}/`, { headers: auth });
    expect(statuses).toEqual([200, 404, 200]);
    expect(((await app.json()) as { kind: string }).kind).toBe('account_level');
    expect(scenario.calls.map((c) => [c.operation, c.prefer])).toEqual([
      ['retrieve', 'code=200, example=unhealthy'],
      ['retrieve', 'code=404, example=not_found'],
      ['retrieve', undefined],
      ['app', 'code=200, example=account_level'],
    ]);
    expect(scenario.violations).toEqual([]);
  });

  it('records method, path with query, parsed body and authorization of each call', async () => {
    const scenario = recallScenario(prism.url);
    const body = { oauth_app: appId, authorization_code: { code: 'c0de', redirect_uri: 'https://connect.example.com/cb' } };
    await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/?oauth_app=${appId}`, { headers: auth });
    await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/${existingId}/validate/`, { method: 'POST', headers: auth });
    await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/${existingId}/`, { method: 'DELETE', headers: auth });
    expect(scenario.calls).toEqual([
      { operation: 'create', method: 'POST', path: '/api/v2/zoom-oauth-credentials/', body, prefer: undefined, authorization: auth.Authorization },
      {
        operation: 'list',
        method: 'GET',
        path: `/api/v2/zoom-oauth-credentials/?oauth_app=${appId}`,
        body: undefined,
        prefer: undefined,
        authorization: auth.Authorization,
      },
      {
        operation: 'validate',
        method: 'POST',
        path: `/api/v2/zoom-oauth-credentials/${existingId}/validate/`,
        body: undefined,
        prefer: undefined,
        authorization: auth.Authorization,
      },
      {
        operation: 'delete',
        method: 'DELETE',
        path: `/api/v2/zoom-oauth-credentials/${existingId}/`,
        body: undefined,
        prefer: undefined,
        authorization: auth.Authorization,
      },
    ]);
  });

  it("collects Prism's sl-violations, e.g. for a credential id that is not a uuid", async () => {
    const scenario = recallScenario(prism.url);
    await scenario.fetch(`${prism.url}/api/v2/zoom-oauth-credentials/not-a-uuid/`, { headers: auth });
    expect(scenario.violations).toHaveLength(1);
    expect(scenario.violations[0]).toContain('retrieve GET /api/v2/zoom-oauth-credentials/not-a-uuid/');
  });
});
