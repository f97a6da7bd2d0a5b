// `npm run doctor`: checks a real configuration against the real services, connecting no one, and says what to
// fix. Configuration first (nothing else can be checked without it), then Recall, PUBLIC_URL, the callback URL,
// PKCE and the database. Nothing here writes: the Recall calls are GETs, the database is only read.
import { ConfigError, loadConfig, recallRegions } from '../config.js';
import { exitCodeOf, renderChecklist, type Check } from './checklist.js';
import { recallChecks, type RecallTarget } from './recall-checks.js';
import { databaseCheck, pkceCheck, publicUrlCheck, redirectChecks } from './setup-checks.js';

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Each region's base URL (Recall's by default; tests point them at fakes). */
  regions?: RecallTarget['regions'];
}

export interface DoctorReport {
  checks: Check[];
  text: string;
  exitCode: number;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks = await allChecks(options);
  return { checks, text: renderChecklist(checks), exitCode: exitCodeOf(checks) };
}

async function allChecks({ env, fetch, regions = recallRegions }: DoctorOptions): Promise<Check[]> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      { name: 'Configuration', status: 'fail', detail: error.problems.join('; '), fix: 'set the variables named; the gateway would not start' },
    ];
  }
  if (config.demo) {
    return [
      {
        name: 'Configuration',
        status: 'fail',
        detail: 'no production variable is set: that is demo mode, which needs no check',
        fix: 'run the doctor with the environment the gateway runs with in production',
      },
    ];
  }
  const overridden = Boolean(env.RECALL_BASE_URL?.trim());
  const target: RecallTarget = {
    baseUrl: overridden ? config.recall.baseUrl : (regions[config.recall.region] ?? config.recall.baseUrl),
    // With RECALL_BASE_URL (a proxy, a mock) the regions cannot be told apart.
    regions: overridden ? {} : regions,
    fetch,
  };
  const [recall, database] = await Promise.all([recallChecks(config, target), databaseCheck(config)]);
  return [
    { name: 'Configuration', status: 'ok', detail: 'every variable is valid' },
    ...recall,
    publicUrlCheck(config),
    ...redirectChecks(config),
    pkceCheck(config),
    database,
  ];
}
