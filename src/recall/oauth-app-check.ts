// At start-up the gateway reads its Zoom OAuth app from Recall once: it proves the key, the region and the
// app id together, and its `kind` says which Zoom id credentials carry (user_id or account_id) and so which
// legacy conflict body to expect.
import type { Config } from '../config.js';
import { RecallError, type RecallApi, type ZoomOauthApp } from './recall-api.js';

export async function checkOauthApp(recall: RecallApi, config: Config): Promise<{ app: ZoomOauthApp; warnings: string[] }> {
  let app: ZoomOauthApp;
  try {
    app = await recall.retrieveOauthApp();
  } catch (error) {
    throw new Error(startupMessage(error, config), { cause: error });
  }
  return { app, warnings: appWarnings(app, config) };
}

/** What the app Recall holds says about the configuration; connecting may work while these are wrong. */
export function appWarnings(app: ZoomOauthApp, config: Config): string[] {
  const warnings: string[] = [];
  if (app.client_id && app.client_id !== config.zoom.clientId) {
    warnings.push(`ZOOM_CLIENT_ID (${config.zoom.clientId}) differs from the client id Recall holds for this app (${app.client_id})`);
  }
  if (!app.webhook_last_validation) warnings.push(webhookNeverValidated(config));
  return warnings;
}

/** Zoom sends meeting events to Recall only once it validated the app's event subscription endpoint there. */
export function webhookNeverValidated(config: Config): string {
  return (
    "Recall says Zoom never validated the Zoom app's event subscription (webhook_last_validation is empty): connecting " +
    'works, but Recall receives no meeting events, so meetings are not synced and bots do not join. In the Zoom app, ' +
    `set the event notification endpoint URL to ${webhookEndpoint(config.recall.baseUrl, config.recall.oauthAppId)} and validate it.`
  );
}

/** Where Zoom sends the app's events: Recall's endpoint for the app, in the app's region. */
export const webhookEndpoint = (recallBaseUrl: string, oauthAppId: string) => `${recallBaseUrl}/api/v2/zoom-oauth-apps/${oauthAppId}/webhook`;

function startupMessage(error: unknown, config: Config): string {
  const where = `Recall at ${config.recall.baseUrl} (RECALL_REGION=${config.recall.region})`;
  if (!(error instanceof RecallError)) return `Could not read the Zoom OAuth app from ${where}: ${String(error)}`;
  switch (error.code) {
    case 'recall_unauthorized':
      return `${where} rejected RECALL_API_KEY: the key is wrong, or belongs to another region (keys work only in their own region).`;
    case 'recall_not_found':
      return `${where} has no Zoom OAuth app with RECALL_ZOOM_OAUTH_APP_ID=${config.recall.oauthAppId} (wrong id, or the app lives in another region).`;
    case 'recall_unavailable':
      return `${where} could not be reached or is unavailable: ${error.message}`;
    default:
      return `${where} refused to return the Zoom OAuth app (${error.code}): ${error.message}`;
  }
}
