// One health sync run. Recall sends no webhook when a credential turns unhealthy, so the gateway polls:
// 0. delete at Recall the retired credentials whose delete is still owed (a crash or a failed delete after
//    their connections moved), a few per run, from the sync's budget;
// 1. walk the app's credentials with status=unhealthy, page after page (each page spends the shared list budget),
//    and record them on their connections, which become needs_reauth. A run reads at most its share of the list
//    budget; a longer list goes on where it stopped at the next run, on whichever instance runs it (the position
//    is in the store), so the walk never fails however many credentials there are;
// 2. once a walk (a pass) is complete, re-read the credentials the store still holds unhealthy that the pass did
//    not list: they are healthy again (a reconnect, a refresh at Recall) or gone;
// 3. with HEALTH_VALIDATE, ask Recall to validate the credentials not checked for HEALTH_VALIDATE_AFTER_S and
//    re-read them: development Zoom apps never turn unhealthy through revocation, only through a check.
// Steps 0, 2 and 3 spend the sync's own budget of delete/retrieve/validate/log calls, well under Recall's 300/min.
// What a check does with what Recall says is the credential lifecycle's (src/credentials/health.ts).
import type { Config } from '../config.js';
import type { CredentialLogger } from '../credentials/deps.js';
import { checkCredentialHealth, recordHealth } from '../credentials/health.js';
import { isRecallDown, settleOwedDeletions } from '../credentials/retire.js';
import { credentialSnapshot } from '../credentials/snapshot.js';
import { RecallError, type RecallApi, type ZoomOauthCredential } from '../recall/recall-api.js';
import type { Store } from '../store/store.js';
import type { RequestBudget } from './request-budget.js';

export interface HealthDeps {
  config: Pick<Config, 'healthSyncIntervalS' | 'healthValidate' | 'healthCallsPerMinute'>;
  store: Store;
  recall: RecallApi;
  now: () => Date;
  log: CredentialLogger;
}

export interface HealthSyncSummary {
  /** Credentials Recall listed (asked for the unhealthy ones) in this run. */
  listed: number;
  /** Pages of Recall's list read in this run. */
  pages: number;
  /** Whether this run read the list's last page (a pass complete: step 2 ran). */
  passComplete: boolean;
  /** Credentials re-read because Recall stopped listing them as unhealthy. */
  rechecked: number;
  /** Credentials validated and re-read (HEALTH_VALIDATE). */
  validated: number;
  /** Credentials Recall no longer has: their connections were detached. */
  gone: number;
  /** Per-credential checks that failed (logged; tried again next run). */
  failedChecks: number;
  /** Owed deletes of retired credentials that Recall confirmed in this run (step 0). */
  retiredDeleted: number;
}

export interface RunOptions {
  /** Retrieve, validate and log calls go through it. */
  callBudget: RequestBudget;
  /** Pages of Recall's list one run reads at most (listPagesPerRun(config) by default). */
  listPagesPerRun?: number;
  /** Called between steps; throws when the run must stop (its lease was lost). */
  checkpoint?: () => Promise<void>;
}

type CheckResult = 'checked' | 'gone' | 'failed';

/** The store's name for where the walk through Recall's list of unhealthy credentials stopped. */
export const HEALTH_LIST_POSITION = 'health-sync-unhealthy-list';

export async function runHealthSync(deps: HealthDeps, options: RunOptions): Promise<HealthSyncSummary> {
  const summary: HealthSyncSummary = {
    listed: 0,
    pages: 0,
    passComplete: false,
    rechecked: 0,
    validated: 0,
    gone: 0,
    failedChecks: 0,
    retiredDeleted: 0,
  };
  summary.retiredDeleted = await settleOwedDeletions(deps, { limit: OWED_DELETES_PER_RUN, budget: options.callBudget });
  const walk = await walkUnhealthyList(deps, options, summary);
  summary.passComplete = walk.complete;
  await options.checkpoint?.();

  if (walk.complete) {
    // Unhealthy in the store, but not listed by this pass: checked before it began (or at that instant, and not
    // listed by this run).
    const recovered = (await deps.store.listUnhealthyCredentialIds(walk.passStartedAt)).filter((id) => !walk.listed.has(id));
    for (const credentialId of recovered) {
      count(summary, await checkCredential(deps, options.callBudget, credentialId, false), 'rechecked');
    }
    await options.checkpoint?.();
  }

  if (deps.config.healthValidate) {
    const checkedBefore = new Date(deps.now().getTime() - deps.config.healthValidate.afterS * 1000).toISOString();
    for (const credentialId of await deps.store.listCredentialsCheckedBefore(checkedBefore, validationsPerRun(deps.config))) {
      count(summary, await checkCredential(deps, options.callBudget, credentialId, true), 'validated');
    }
  }
  return summary;
}

/** A run may read half of what the list budget (60 a minute) allows in one interval; conflicts need the rest. */
export function listPagesPerRun(config: HealthDeps['config']): number {
  return Math.max(1, Math.floor((LIST_CALLS_PER_MINUTE / 2) * (config.healthSyncIntervalS / 60)));
}

/** Recall's limit of list calls a minute, per workspace. */
export const LIST_CALLS_PER_MINUTE = 60;

/** Owed deletes tried in one run: rare, and each failing one waits longer before its next try. */
export const OWED_DELETES_PER_RUN = 10;

/**
 * Step 1: reads the list of unhealthy credentials from where the last run stopped, at most listPagesPerRun pages,
 * recording each page's credentials and the position after it, so a crash or a lost lease loses at most a page.
 */
async function walkUnhealthyList(
  deps: HealthDeps,
  options: RunOptions,
  summary: HealthSyncSummary,
): Promise<{ complete: boolean; passStartedAt: string; listed: Set<string> }> {
  const listed = new Set<string>();
  const saved = await deps.store.readSyncPosition(HEALTH_LIST_POSITION);
  let cursor = saved?.cursor;
  let passStartedAt = saved?.passStartedAt ?? deps.now().toISOString();
  const pagesAllowed = options.listPagesPerRun ?? listPagesPerRun(deps.config);
  while (summary.pages < pagesAllowed) {
    const readAt = deps.now().toISOString();
    let page;
    try {
      page = await deps.recall.listCredentialPage({ status: 'unhealthy' }, cursor);
    } catch (error) {
      // A saved cursor Recall no longer takes (expired, or from a list that changed shape): start the pass again.
      if (cursor === undefined || !(error instanceof RecallError) || (error.code !== 'recall_rejected' && error.code !== 'recall_not_found'))
        throw error;
      deps.log.warn({ code: error.code }, 'Recall refused the saved position in its list of unhealthy credentials; the walk starts again');
      await deps.store.saveSyncPosition(HEALTH_LIST_POSITION, null, deps.now().toISOString());
      cursor = undefined;
      passStartedAt = deps.now().toISOString();
      continue;
    }
    summary.pages++;
    for (const credential of page.results) {
      if (listed.has(credential.id)) continue;
      listed.add(credential.id);
      await recordListed(deps, options.callBudget, credential, readAt);
    }
    summary.listed = listed.size;
    if (page.next === null) {
      await deps.store.saveSyncPosition(HEALTH_LIST_POSITION, null, deps.now().toISOString());
      return { complete: true, passStartedAt, listed };
    }
    cursor = page.next;
    await deps.store.saveSyncPosition(HEALTH_LIST_POSITION, { cursor, passStartedAt }, deps.now().toISOString());
    await options.checkpoint?.();
  }
  deps.log.info({ pages: summary.pages }, "health sync: Recall's list of unhealthy credentials goes on; the next run continues from here");
  return { complete: false, passStartedAt, listed };
}

async function recordListed(deps: HealthDeps, budget: RequestBudget, credential: ZoomOauthCredential, readAt: string): Promise<void> {
  // A connection saved while the page was read (a reconnect) knows better than this page.
  await recordHealth(deps, credentialSnapshot(credential), { readAt, budget });
}

/** Two calls per validation; a run validates what the call budget allows in one interval. */
export function validationsPerRun(config: HealthDeps['config']): number {
  return Math.max(1, Math.floor((config.healthCallsPerMinute * config.healthSyncIntervalS) / 60 / 2));
}

function count(summary: HealthSyncSummary, result: CheckResult, checked: 'rechecked' | 'validated'): void {
  if (result === 'checked') summary[checked]++;
  else if (result === 'gone') summary.gone++;
  else summary.failedChecks++;
}

/**
 * Re-reads one credential (validating it first, if asked) and records it. Recall being unavailable or rate
 * limiting ends the run (the scheduler backs off); anything else about one credential is logged and skipped.
 */
async function checkCredential(deps: HealthDeps, budget: RequestBudget, credentialId: string, validate: boolean): Promise<CheckResult> {
  try {
    const check = await checkCredentialHealth(deps, credentialId, { validate: validate ? 'tolerate' : undefined, budget, keepNewer: true });
    return check.result === 'gone' ? 'gone' : 'checked';
  } catch (error) {
    if (!(error instanceof RecallError) || isRecallDown(error)) throw error;
    deps.log.warn({ credentialId, code: error.code }, 'health check of a credential failed');
    return 'failed';
  }
}
