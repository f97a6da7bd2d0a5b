// What `npm test` needs beyond Node.js and `npm ci`, checked at the start of every run (vitest globalSetup) and
// again by the tests that need it, so a missing piece is one message naming it, the tests it serves and the
// command that installs it, instead of a browser that "failed to launch" or a bindings file not found.
import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { findPostgresBinaries } from './postgres-cluster.js';

export interface MissingPrerequisite {
  what: string;
  neededBy: string;
  install: string;
}

/** Debian's Chromium unless CHROMIUM_PATH names another executable. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function missingChromium(): MissingPrerequisite | undefined {
  if (existsSync(chromiumPath())) return undefined;
  return {
    what: `Chromium (no executable at ${chromiumPath()})`,
    neededBy: 'the browser tests (test/browser/)',
    install: 'sudo apt-get update && sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium executable)',
  };
}

function missingPostgres(): MissingPrerequisite | undefined {
  try {
    findPostgresBinaries();
    return undefined;
  } catch {
    return {
      what: `the PostgreSQL server binaries: initdb, pg_ctl, postgres (${process.env.PG_BIN_DIR ? `not in PG_BIN_DIR=${process.env.PG_BIN_DIR}` : 'not in /usr/lib/postgresql/<version>/bin or the PATH'})`,
      neededBy: 'the PostgreSQL store tests and test/multi-instance/ (each run starts its own throwaway cluster; none needs to be running)',
      install: 'sudo apt-get update && sudo apt-get install -y postgresql   (or set PG_BIN_DIR to the folder holding initdb)',
    };
  }
}

function missingSqlite(): MissingPrerequisite | undefined {
  try {
    new BetterSqlite3(':memory:').close();
    return undefined;
  } catch (error) {
    return {
      what: `better-sqlite3's native module for Node.js ${process.version} (${(error as Error).message.split('\n')[0]})`,
      neededBy: 'nearly every test: the SQLite store is the default',
      // npm ci builds it from source when no prebuilt binary matches this Node.js and platform.
      install: 'sudo apt-get install -y python3 make g++ && npm rebuild better-sqlite3',
    };
  }
}

export function missingPrerequisites(): MissingPrerequisite[] {
  return [missingSqlite(), missingChromium(), missingPostgres()].filter((missing) => missing !== undefined);
}

export function prerequisitesMessage(missing: readonly MissingPrerequisite[]): string {
  const lines = missing.map((item) => `- ${item.what}\n  needed by ${item.neededBy}\n  install: ${item.install}`);
  return `This machine lacks what some tests need; they will fail until it is installed:\n${lines.join('\n')}`;
}

/** The Chromium executable, or an error that says how to install it. */
export function requireChromium(): string {
  const missing = missingChromium();
  if (missing) throw new Error(prerequisitesMessage([missing]));
  return chromiumPath();
}
