// What Recall says about this configuration: does RECALL_API_KEY work in RECALL_REGION (and if not, in which
// region it does), does RECALL_ZOOM_OAUTH_APP_ID name an app there, of which kind, with which client id, and did
// Zoom ever validate the app's event subscription at Recall. Read-only: one GET of the app per region tried.
import type { Config, RecallRegion } from '../config.js';
import { createRecallClient } from '../recall/client.js';
import { webhookEndpoint } from '../recall/oauth-app-check.js';
import { RecallError, type ZoomOauthApp } from '../recall/recall-api.js';
import type { Check } from './checklist.js';

export interface RecallTarget {
  /** Where the gateway would call Recall. */
  baseUrl: string;
  /** The base URL of every region, to find the one a rejected key belongs to; none when RECALL_BASE_URL is set. */
  regions: Partial<Record<RecallRegion, string>>;
  fetch?: typeof fetch;
}

const KEY = 'Recall API key and region';
const APP = 'Zoom OAuth app';
const CLIENT_ID = 'Zoom client id';
const WEBHOOK = "Zoom app's event subscription at Recall";

export async function recallChecks(config: Config, target: RecallTarget): Promise<Check[]> {
  const where = `Recall at ${target.baseUrl} (RECALL_REGION=${config.recall.region})`;
  let app: ZoomOauthApp;
  try {
    app = await readApp(config, target.baseUrl, target.fetch);
  } catch (error) {
    return failedRead(config, target, where, error);
  }
  return [
    { name: KEY, status: 'ok', detail: `${where} accepts RECALL_API_KEY` },
    {
      name: APP,
      status: 'ok',
      detail: `${app.id} is a ${app.kind} app (credentials carry the Zoom ${app.kind === 'user_level' ? 'user' : 'account'} id)`,
    },
    clientIdCheck(config, app),
    webhookCheck(target.baseUrl, app),
  ];
}

function readApp(config: Config, baseUrl: string, fetchImpl: typeof fetch | undefined): Promise<ZoomOauthApp> {
  const client = createRecallClient({
    baseUrl,
    apiKey: config.recall.apiKey,
    oauthAppId: config.recall.oauthAppId,
    timeoutMs: config.recall.timeoutMs,
    maxAttempts: 2,
    fetch: fetchImpl,
  });
  return client.retrieveOauthApp();
}

async function failedRead(config: Config, target: RecallTarget, where: string, error: unknown): Promise<Check[]> {
  const skipped = (name: string): Check => ({ name, status: 'skip', detail: 'needs the Zoom OAuth app from Recall' });
  const code = error instanceof RecallError ? error.code : 'error';
  const rest = [skipped(CLIENT_ID), skipped(WEBHOOK)];
  switch (code) {
    case 'recall_unauthorized':
      return [
        { name: KEY, status: 'fail', detail: `${where} answered 401: it does not know RECALL_API_KEY`, fix: await regionFix(config, target) },
        skipped(APP),
        ...rest,
      ];
    case 'recall_not_found':
      return [
        { name: KEY, status: 'ok', detail: `${where} accepts RECALL_API_KEY` },
        {
          name: APP,
          status: 'fail',
          detail: `${where} has no Zoom OAuth app ${config.recall.oauthAppId}`,
          fix: "set RECALL_ZOOM_OAUTH_APP_ID to the id of your Zoom OAuth app in Recall's dashboard (Zoom OAuth Apps), created in this region",
        },
        ...rest,
      ];
    case 'recall_forbidden':
      return [
        {
          name: KEY,
          status: 'fail',
          detail: `${where}: Recall's firewall refused the request`,
          fix: 'call Recall from a network its firewall allows',
        },
        skipped(APP),
        ...rest,
      ];
    default:
      return [
        {
          name: KEY,
          status: 'fail',
          detail: `${where} could not be asked: ${error instanceof Error ? error.message : String(error)}`,
          fix: 'check the network path to Recall (proxy, DNS, firewall) and RECALL_REGION / RECALL_BASE_URL',
        },
        skipped(APP),
        ...rest,
      ];
  }
}

/** A key works in one region only: asks the others, to say which one it belongs to. */
async function regionFix(config: Config, target: RecallTarget): Promise<string> {
  const others = (Object.entries(target.regions) as [RecallRegion, string][]).filter(([region]) => region !== config.recall.region);
  if (others.length === 0) return 'check RECALL_API_KEY, and RECALL_REGION: a key works only in the region it was created in';
  for (const [region, baseUrl] of others) {
    try {
      await readApp(config, baseUrl, target.fetch);
      return `the key belongs to ${region}: set RECALL_REGION=${region}`;
    } catch (error) {
      // A 404 there still proves the key: the app id is the next thing to fix, in that region.
      if (error instanceof RecallError && error.code === 'recall_not_found')
        return `the key belongs to ${region}: set RECALL_REGION=${region} (and check RECALL_ZOOM_OAUTH_APP_ID there)`;
    }
  }
  return `no region (${Object.keys(target.regions).join(', ')}) accepts RECALL_API_KEY: copy a valid key from Recall's dashboard`;
}

function clientIdCheck(config: Config, app: ZoomOauthApp): Check {
  if (app.client_id === config.zoom.clientId)
    return { name: CLIENT_ID, status: 'ok', detail: `ZOOM_CLIENT_ID is the client id Recall holds (${app.client_id})` };
  return {
    name: CLIENT_ID,
    status: 'fail',
    detail: `ZOOM_CLIENT_ID (${config.zoom.clientId}) is not the client id Recall holds for this app (${app.client_id}): Zoom would issue codes Recall cannot exchange`,
    fix: `set ZOOM_CLIENT_ID=${app.client_id}, or RECALL_ZOOM_OAUTH_APP_ID to the app registered with ${config.zoom.clientId}`,
  };
}

function webhookCheck(recallBaseUrl: string, app: ZoomOauthApp): Check {
  if (app.webhook_last_validation) return { name: WEBHOOK, status: 'ok', detail: `Zoom last validated it at ${app.webhook_last_validation}` };
  return {
    name: WEBHOOK,
    status: 'fail',
    detail: 'never validated (webhook_last_validation is empty): connecting works, but meetings are not synced and bots do not join',
    fix: `in the Zoom app, set the event notification endpoint URL to ${webhookEndpoint(recallBaseUrl, app.id)} and press Validate`,
  };
}
