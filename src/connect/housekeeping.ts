import type { ConnectDeps } from './deps.js';

/**
 * Purges expired connect sessions and flows every minute. Rows are kept one flow lifetime past expiry, so a
 * late callback still hears state_expired or state_reused instead of state_invalid.
 */
export function startHousekeeping(deps: ConnectDeps, everyMs = 60_000): () => void {
  const purge = async () => {
    try {
      const purged = await deps.store.purgeExpired(deps.now().toISOString(), deps.config.flowTtlS * 1000);
      if (purged.sessions + purged.flows > 0) deps.log.info(purged, 'purged expired connect sessions and flows');
    } catch (error) {
      deps.log.warn({ err: error }, 'purging expired sessions and flows failed; will retry');
    }
  };
  const timer = setInterval(() => void purge(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
