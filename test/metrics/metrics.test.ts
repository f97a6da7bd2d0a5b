// GET /metrics: Prometheus text whose counters move with what the gateway does, here through one connect flow,
// its failures, the outbox and the health sync.
import { describe, expect, it, vi } from 'vitest';
import { createGatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { callback, callbackFor, createSession, launch, launchPathOf, postLaunch } from '../support/flow.js';
import { useHarness, webhookSecret, type HarnessGateway } from '../events/harness.js';

async function scrape(gateway: HarnessGateway): Promise<string> {
  const response = await gateway.request({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.body;
}

/** The value of one sample, or undefined when the series does not exist yet. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  const gateway = useHarness({ env: () => ({ WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: webhookSecret }) });

  it('shows the counters moving through one connect flow', async () => {
    const before = await scrape(gateway);
    expect(sample(before, 'zcg_connect_flows_started_total{outcome="started"}')).toBeUndefined();
    expect(sample(before, 'zcg_outbox_pending_events')).toBe(0);

    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    const launchedMetrics = await scrape(gateway);
    expect(sample(launchedMetrics, 'zcg_connect_flows_started_total{outcome="started"}')).toBe(1);
    expect(sample(launchedMetrics, 'zcg_connect_flows_finished_total{outcome="connected"}')).toBeUndefined();

    const response = await callbackFor(gateway, launched);
    expect(response.statusCode).toBe(303);
    gateway.clock.advance(30);
    const after = await scrape(gateway);
    expect(sample(after, 'zcg_connect_flows_finished_total{outcome="connected"}')).toBe(1);
    expect(sample(after, 'zcg_recall_calls_total{operation="create",status="201"}')).toBe(1);
    expect(sample(after, 'zcg_recall_call_duration_seconds_count{operation="create"}')).toBe(1);
    expect(sample(after, 'zcg_recall_call_duration_seconds_bucket{le="+Inf",operation="create"}')).toBe(1);
    // connection.created waits in the outbox (no dispatcher runs here), written 30 seconds ago.
    expect(sample(after, 'zcg_outbox_pending_events')).toBe(1);
    expect(sample(after, 'zcg_outbox_oldest_pending_age_seconds')).toBe(30);
  });

  it('counts failed flows by their problem code, whatever form the answer took', async () => {
    const denied = await launch(gateway);
    await callback(gateway, { error: 'access_denied', state: denied.state }, { [denied.cookie.name]: denied.cookie.value });
    const json = await launch(gateway, { return_to: undefined });
    await callback(gateway, { state: json.state }, { [json.cookie.name]: json.cookie.value }, { accept: 'application/json' });
    const page = await launch(gateway, { return_to: undefined });
    await callback(gateway, { state: page.state, code: 'c' }, {}, { accept: 'text/html' });
    expect((await postLaunch(gateway, 'https://gateway.example.com/v1/connect/zoom?launch=unknown-launch-code')).statusCode).toBe(400);

    const text = await scrape(gateway);
    expect(sample(text, 'zcg_connect_flows_started_total{outcome="started"}')).toBe(3);
    expect(sample(text, 'zcg_connect_flows_started_total{outcome="session_invalid"}')).toBe(1);
    expect(sample(text, 'zcg_connect_flows_finished_total{outcome="access_denied"}')).toBe(1);
    expect(sample(text, 'zcg_connect_flows_finished_total{outcome="code_missing"}')).toBe(1);
    expect(sample(text, 'zcg_connect_flows_finished_total{outcome="state_cookie_missing"}')).toBe(1);
  });

  it('counts refused launches as launch_not_from_app, and a replayed successful callback as replayed, not connected again', async () => {
    const session = await createSession(gateway);
    await gateway.request({ method: 'GET', url: launchPathOf(session.connect_url) });
    await postLaunch(gateway, session.connect_url, { origin: 'https://evil.example.net' });
    gateway.recall.prefer('create', 'code=201, example=created');
    const launched = await launch(gateway);
    expect((await callbackFor(gateway, launched)).statusCode).toBe(303);
    expect((await callbackFor(gateway, launched)).statusCode).toBe(303);

    const text = await scrape(gateway);
    expect(sample(text, 'zcg_connect_flows_started_total{outcome="launch_not_from_app"}')).toBe(2);
    expect(sample(text, 'zcg_connect_flows_started_total{outcome="started"}')).toBe(1);
    expect(sample(text, 'zcg_connect_flows_finished_total{outcome="connected"}')).toBe(1);
    expect(sample(text, 'zcg_connect_flows_finished_total{outcome="replayed"}')).toBe(1);
  });
});

describe('health sync metrics', () => {
  const gateway = useHarness({ app: { healthSync: { intervalMs: 100 } } });

  it('shows when the health sync last ran and whether it succeeded', async () => {
    gateway.recall.prefer('list', 'code=200, example=empty_page');
    await vi.waitFor(async () => expect(sample(await scrape(gateway), 'zcg_health_sync_runs_total{result="ok"}')).toBeGreaterThanOrEqual(1), {
      timeout: 2000,
    });
    const text = await scrape(gateway);
    expect(sample(text, 'zcg_health_sync_last_success')).toBe(1);
    expect(sample(text, 'zcg_health_sync_last_run_timestamp_seconds')).toBe(gateway.clock.now.getTime() / 1000);
    expect(sample(text, 'zcg_health_sync_last_success_timestamp_seconds')).toBe(gateway.clock.now.getTime() / 1000);
    expect(sample(text, 'zcg_recall_calls_total{operation="list",status="200"}')).toBeGreaterThanOrEqual(1);
  });
});

describe('createGatewayMetrics', () => {
  it('keeps each app metrics apart (a registry per app, never the global one)', async () => {
    const [one, two] = [createGatewayMetrics(), createGatewayMetrics()];
    one.flowStarted('started');
    expect(await one.registry.getSingleMetricAsString('zcg_connect_flows_started_total')).toContain('{outcome="started"} 1');
    expect(await two.registry.getSingleMetricAsString('zcg_connect_flows_started_total')).not.toContain('outcome="started"');
  });
});
