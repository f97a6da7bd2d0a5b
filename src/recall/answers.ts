// Reading Recall's success bodies. Recall adds fields and its guides show answers without `status`, so a body
// that strays from the spec is accepted (with a warning) as long as it names the object it is about.
import type { z } from 'zod';
import { zZoomOauthApp, zZoomOauthCredential } from '../../generated/recall/zod.gen.js';
import { RecallError, type ZoomOauthApp, type ZoomOauthCredential } from './recall-api.js';
import type { CredentialLogEntry } from './credential-logs.js';
import { isRecord } from './errors.js';
import type { RecallLogger } from './retry.js';

export interface CredentialPage {
  results: ZoomOauthCredential[];
  next: string | null;
}

export function acceptCredential(body: unknown, logger: RecallLogger | undefined): ZoomOauthCredential {
  const credential = accept<ZoomOauthCredential>('credential', zZoomOauthCredential, body, logger);
  // A create answer in Recall's own guide has no status: a credential Recall just accepted works.
  return { ...credential, status: credential.status ?? 'healthy' };
}

/** The app, without the secrets Recall's answer carries: nothing past this point can log or store them. */
export function acceptApp(body: unknown, logger: RecallLogger | undefined): ZoomOauthApp {
  const {
    client_secret: _clientSecret,
    webhook_secret: _webhookSecret,
    ...app
  } = accept<ZoomOauthApp>('Zoom OAuth App', zZoomOauthApp, body, logger);
  return app;
}

export function acceptPage(body: unknown, logger: RecallLogger | undefined): CredentialPage {
  if (!isRecord(body) || !Array.isArray(body.results)) {
    throw new RecallError('recall_unavailable', "Recall's credential list answer has no results");
  }
  return {
    results: body.results.map((item: unknown) => acceptCredential(item, logger)),
    next: typeof body.next === 'string' && body.next ? body.next : null,
  };
}

function accept<T>(what: string, schema: z.ZodType, body: unknown, logger: RecallLogger | undefined): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return body as T;
  if (!isRecord(body) || typeof body.id !== 'string' || !body.id) {
    throw new RecallError('recall_unavailable', `Recall's answer is not a ${what}`);
  }
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
  logger?.warn({ what, id: body.id, issues }, `Recall's ${what} does not match the spec; accepted as it has an id`);
  return body as T;
}

/** A page of a credential's log: entries without a message are skipped (nothing to tell from them). */
export function acceptLogPage(body: unknown): CredentialLogEntry[] {
  if (!isRecord(body) || !Array.isArray(body.results)) {
    throw new RecallError('recall_unavailable', "Recall's credential log answer has no results");
  }
  return body.results.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.message === 'string'
      ? [{ message: entry.message, created_at: typeof entry.created_at === 'string' ? entry.created_at : '' }]
      : [],
  );
}

/** The cursor of a `next` link: Recall gives a full URL, the SDK takes the cursor alone (against our base URL). */
export function cursorOf(next: string): string {
  let cursor: string | null = null;
  try {
    cursor = new URL(next).searchParams.get('cursor');
  } catch {
    // not a URL: handled below like a URL without a cursor
  }
  if (!cursor) throw new RecallError('recall_unavailable', "Recall's next page link carries no cursor");
  return cursor;
}
