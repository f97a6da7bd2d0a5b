// Load shedding (src/plugins/load-shedding.ts): while the gateway is overloaded, every operation but the probes
// and the metrics answers 503 overloaded with Retry-After, and /readyz says not ready.
import { describe, expect, it } from 'vitest';
import { createSession, launchPathOf } from '../support/flow.js';
import { appOrigin, testApiKey, useGateway } from '../support/gateway.js';

const auth = { authorization: `Bearer ${testApiKey}` };

describe('while the gateway is overloaded', () => {
  // under-pressure's own health check, failing: the gateway counts as overloaded from the start.
  const gateway = useGateway({}, { app: { loadShedding: { healthCheck: async () => false, healthCheckInterval: 60_000 } } });

  it('answers the API with 503 overloaded and Retry-After, and does nothing', async () => {
    const response = await gateway.request({ method: 'POST', url: '/v1/connect-sessions', headers: auth, payload: { end_user_id: 'user_42' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('10');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'overloaded', status: 503, title: 'Gateway overloaded' });
    expect(await gateway.store.getConnectionByEndUser('user_42')).toBeUndefined();
  });

  it('answers a browser launching the flow with the 503 page and Retry-After', async () => {
    const response = await gateway.request({
      method: 'POST',
      url: '/v1/connect/zoom?launch=some-launch-code',
      headers: { origin: appOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('10');
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('overloaded');
  });

  it('says not ready on /readyz, naming the load', async () => {
    const response = await gateway.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not_ready', checks: { store: 'ok', config: 'ok', load: 'overloaded' } });
  });

  it('still answers /healthz and /metrics', async () => {
    expect((await gateway.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await gateway.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});

describe('when the event loop lags', () => {
  // 10 ms of lag on average is "overloaded" here (a second in production); under-pressure samples every 300 ms.
  const gateway = useGateway({}, { app: { loadShedding: { maxEventLoopDelay: 10, sampleInterval: 300 } } });

  it('sheds load', async () => {
    const busyUntil = Date.now() + 1000;
    while (Date.now() < busyUntil); // the event loop blocked, as by a burst of synchronous work
    for (let waited = 0; !gateway.app.isUnderPressure() && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));

    const shed = await gateway.request({ method: 'GET', url: '/v1/connections', headers: auth });
    expect(shed.statusCode).toBe(503);
    expect(shed.json().code).toBe('overloaded');
    expect((await gateway.request({ method: 'GET', url: '/readyz' })).json().checks.load).toBe('overloaded');
  });
});

describe('a gateway that keeps up', () => {
  const gateway = useGateway();

  it('serves the API and is ready', async () => {
    const session = await createSession(gateway);
    expect(launchPathOf(session.connect_url)).toMatch(/^\/v1\/connect\/zoom\?launch=/);
    expect((await gateway.request({ method: 'GET', url: '/readyz' })).json().checks.load).toBe('ok');
  });
});
