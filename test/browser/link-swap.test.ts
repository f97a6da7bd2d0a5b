// Link-swap, in real Chromium, across three sites: the gateway (127.0.0.1), the app (localhost) and an attacker
// (127.0.0.2), with Zoom's stand-in on a fourth (127.0.0.3). Mallory, an end user of the app, takes a connect
// link made for herself and gets a victim's browser to open it: a page on her site navigates the victim to it,
// posts a form to it, and posts a form from a no-referrer page. The victim never reaches Zoom, so her Zoom
// account can never land on Mallory's end user; the gateway sets no cookie and starts no flow. Afterwards the
// app's own page launches the very same link, in a popup and with a redirect, and connects: the SameSite=Lax
// binding cookie, set on the answer to a form POST from another site, comes back on Zoom's redirect.
import BetterSqlite3 from 'better-sqlite3';
import * as esbuild from 'esbuild';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoomConsentPage } from '../../mocks/zoom/consent-page.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { freePort } from '../support/free-port.js';
import { oauthAppId, zoomClientId, recallClientFor } from '../support/gateway.js';
import { useRecallScenario } from '../support/recall-scenario.js';
import { useChromium } from './chromium.js';

const apiKey = 'link-swap-gateway-api-key-0001';
const root = path.resolve(import.meta.dirname, '../..');

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

/** A plain HTTP server on `host`, on a port of its own; resolves with its origin as a browser writes it. */
async function serve(host: string, name: string, handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => handler(request, response, new URL(request.url ?? '/', 'http://x')));
  await new Promise<void>((resolve) => server.listen(0, host === 'localhost' ? '127.0.0.1' : host, resolve));
  return { server, origin: `http://${name}:${(server.address() as AddressInfo).port}` };
}

const html = (response: ServerResponse, body: string, headers: Record<string, string> = {}) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
  response.end(body);
};
const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The attacker's pages: one navigates the visitor to `to`, one posts a form to it, one posts from a page whose
 * referrer policy makes the browser send Origin: null.
 */
const attackerSite: Handler = (_request, response, url) => {
  const to = attribute(url.searchParams.get('to') ?? '');
  const post = `<form id="f" method="post" action="${to}"></form><script>document.getElementById('f').submit()</script>`;
  if (url.pathname === '/navigate') return html(response, `<p>Loading…</p><script>location.href = "${to}";</script>`);
  if (url.pathname === '/post') return html(response, post);
  if (url.pathname === '/post-without-origin') return html(response, post, { 'referrer-policy': 'no-referrer' });
  response.writeHead(404).end();
};

describe('link-swap: a connect link opened by someone else, in Chromium', { timeout: 90_000 }, () => {
  const recall = useRecallScenario();
  const chromium = useChromium();
  let gateway: FastifyInstance;
  let zoom: FastifyInstance;
  let store: Store;
  let dataDir: string;
  let database: string;
  const origins = { gateway: '', app: '', attacker: '', zoom: '' };
  const servers: Server[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'zcg-link-swap-'));
    database = path.join(dataDir, 'gateway.db');
    const client = await esbuild.build({ entryPoints: [path.join(root, 'src/client/index.ts')], bundle: true, format: 'esm', write: false });
    const clientCode = client.outputFiles[0]!.text;

    // The app: a settings page built on ./client, which launches the link the test hands it.
    const app = await serve('localhost', 'localhost', (_request, response, url) => {
      if (url.pathname === '/client.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        return response.end(clientCode);
      }
      html(
        response,
        `<!doctype html><button id="connect">Connect Zoom</button>
<script type="module">
import { connectZoom, readRedirectResult } from '/client.js';
const result = readRedirectResult();
if (result) document.body.dataset.result = 'connected:' + result.id;
document.getElementById('connect').onclick = () => {
  const link = window.zoomLink;
  connectZoom({ connectUrl: link.connect_url, token: link.token, mode: link.mode }).then(
    (connection) => (document.body.dataset.result = 'connected:' + connection.id),
    (error) => (document.body.dataset.result = 'error:' + error.code),
  );
};
document.body.dataset.ready = 'true';
</script>`,
      );
    });
    const attacker = await serve('127.0.0.2', '127.0.0.2', attackerSite);
    servers.push(app.server, attacker.server);
    origins.app = app.origin;
    origins.attacker = attacker.origin;

    // Production configuration (not demo mode), Recall at the Prism scenario, Zoom's stand-in on its own site.
    origins.gateway = `http://127.0.0.1:${await freePort()}`;
    origins.zoom = `http://127.0.0.3:${await freePort()}`;
    const config = loadConfig({
      RECALL_API_KEY: 'link-swap-recall-key',
      RECALL_BASE_URL: recall.url,
      RECALL_ZOOM_OAUTH_APP_ID: oauthAppId,
      ZOOM_CLIENT_ID: zoomClientId,
      ZOOM_REDIRECT_URI: `${origins.gateway}/v1/connect/zoom/callback`,
      ZOOM_AUTHORIZE_URL: `${origins.zoom}/oauth/authorize`,
      GATEWAY_API_KEYS: apiKey,
      PUBLIC_URL: origins.gateway,
      ALLOWED_RETURN_ORIGINS: origins.app,
      DATABASE_URL: `sqlite:${database}`,
      LOG_LEVEL: 'silent',
      HEALTH_SYNC_INTERVAL_S: '0',
    });
    zoom = Fastify();
    await zoom.register(zoomConsentPage, { path: '/oauth/authorize', clientId: config.zoom.clientId, redirectUri: config.zoom.redirectUri });
    await zoom.listen({ port: Number(new URL(origins.zoom).port), host: '127.0.0.3' });
    store = await openStore(config.databaseUrl);
    const recallClient = recallClientFor(config, {
      fetch: recall.fetch,
    });
    gateway = await buildApp({ deps: { config, store, recall: recallClient, appKind: 'user_level', now: () => new Date() } });
    await gateway.listen({ port: Number(new URL(origins.gateway).port), host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await zoom?.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Mallory's own connect link, made by the app's backend with its API key, back to the app's settings page. */
  async function mallorysLink(endUserId: string, mode: 'popup' | 'redirect') {
    const response = await fetch(`${origins.gateway}/v1/connect-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ end_user_id: endUserId, mode, return_to: `${origins.app}/settings` }),
    });
    expect(response.status).toBe(201);
    return { ...((await response.json()) as { connect_url: string; token: string }), mode };
  }

  const flowsStored = () => {
    const db = new BetterSqlite3(database, { readonly: true });
    try {
      return (db.prepare('select count(*) as count from flows').get() as { count: number }).count;
    } finally {
      db.close();
    }
  };

  /** Everything the victim's browser asked of Zoom's stand-in. */
  const zoomVisits = (context: BrowserContext) => {
    const visits: string[] = [];
    context.on('request', (request) => {
      if (request.url().startsWith(origins.zoom)) visits.push(request.url());
    });
    return visits;
  };

  it("never takes the victim's browser to Zoom, whichever way another site opens Mallory's link", async () => {
    const link = await mallorysLink('mallory', 'popup');
    const { context, page } = await chromium.newTab();
    const visits = zoomVisits(context);
    const refusals: { how: string; status: number | undefined; code: string | null; detail: string | null }[] = [];

    for (const how of ['navigate', 'post', 'post-without-origin']) {
      const answer = page.waitForResponse((response) => response.url() === link.connect_url);
      await page.goto(`${origins.attacker}/${how}?to=${encodeURIComponent(link.connect_url)}`);
      const status = (await answer).status();
      await page.waitForSelector('code');
      refusals.push({ how, status, code: await page.textContent('code'), detail: await page.textContent('p') });
    }

    expect(refusals.map(({ how, status, code }) => ({ how, status, code }))).toEqual([
      { how: 'navigate', status: 403, code: 'launch_not_from_app' },
      { how: 'post', status: 403, code: 'launch_not_from_app' },
      { how: 'post-without-origin', status: 403, code: 'launch_not_from_app' },
    ]);
    expect(refusals.at(-1)!.detail).toContain('Referrer-Policy: no-referrer');
    expect(visits).toEqual([]);
    expect(await context.cookies(origins.gateway)).toEqual([]);
    expect(flowsStored()).toBe(0);
    expect(await store.getConnectionByEndUser('mallory')).toBeUndefined();
    expect(recall.calls).toEqual([]);
  });

  it('still lets the app launch that same link in a popup afterwards, cookie and all, and connects Mallory', async () => {
    recall.prefer('create', 'code=201, example=created');
    const link = await mallorysLink('mallory-popup', 'popup');
    const victim = await chromium.newTab();
    await victim.page.goto(`${origins.attacker}/post?to=${encodeURIComponent(link.connect_url)}`);
    await victim.page.waitForSelector('code');

    const { context, page } = await chromium.newTab();
    await page.goto(`${origins.app}/settings`);
    await page.waitForSelector('body[data-ready=true]');
    await page.evaluate((zoomLink) => Object.assign(window, { zoomLink }), link);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#connect')]);
    await popup.waitForSelector('#allow');
    expect(new URL(popup.url()).origin).toBe(origins.zoom);
    expect((await context.cookies(origins.gateway)).map((cookie) => ({ sameSite: cookie.sameSite, httpOnly: cookie.httpOnly }))).toEqual([
      { sameSite: 'Lax', httpOnly: true },
    ]);
    await popup.click('#allow');
    await page.waitForSelector('body[data-result]');

    const connection = await store.getConnectionByEndUser('mallory-popup');
    expect(connection).toMatchObject({ status: 'connected' });
    expect(await page.getAttribute('body', 'data-result')).toBe(`connected:${connection!.id}`);
    expect(await context.cookies(origins.gateway)).toEqual([]);
  });

  it('still lets the app launch that same link with a redirect afterwards, and connects Mallory', async () => {
    recall.prefer('create', 'code=201, example=created');
    const link = await mallorysLink('mallory-redirect', 'redirect');
    const victim = await chromium.newTab();
    await victim.page.goto(`${origins.attacker}/navigate?to=${encodeURIComponent(link.connect_url)}`);
    await victim.page.waitForSelector('code');

    const { page } = await chromium.newTab();
    await page.goto(`${origins.app}/settings`);
    await page.waitForSelector('body[data-ready=true]');
    await page.evaluate((zoomLink) => Object.assign(window, { zoomLink }), link);
    await page.click('#connect');
    await page.waitForURL((url) => url.origin === origins.zoom);
    await page.click('#allow');
    await page.waitForURL((url) => url.origin === origins.app && url.searchParams.size === 0);
    await page.waitForSelector('body[data-result]');

    const connection = await store.getConnectionByEndUser('mallory-redirect');
    expect(connection).toMatchObject({ status: 'connected' });
    expect(await page.getAttribute('body', 'data-result')).toBe(`connected:${connection!.id}`);
  });
});
