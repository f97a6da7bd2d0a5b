// What a PostgreSQL failure means to the gateway: the database cannot be reached (answer 503 and recover once
// it is back), or something the operator must fix at start-up (said in one sentence naming DATABASE_URL).
// DATABASE_URL may hold a password: the target is described without it, and no message ever repeats it.

import { StoreUnavailableError } from './store.js';

/** Where DATABASE_URL points, safe to print: user, host, port and database, never the password. */
export interface PostgresTarget {
  user: string;
  host: string;
  port: string;
  database: string;
  password: string;
}

export function describeTarget(target: PostgresTarget): string {
  return `postgres://${target.user}@${target.host}:${target.port}/${target.database}`;
}

interface DriverError {
  code?: string;
  message?: string;
}

// Socket-level failures (Node) and the SQLSTATE classes that mean "no usable session": 08 connection
// exception, 57P01-57P03 the server shutting down or starting, 53300 too many connections.
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
// pg says these in words only, without a code.
const unreachableMessages = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
  /not queryable/,
  /^Query read timeout/,
];

/** True when `error` says the database could not be reached, as opposed to a query the database refused. */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { code, message = '' } = (error ?? {}) as DriverError;
  if (code !== undefined && (unreachableCodes.has(code) || code.startsWith('08'))) return true;
  return unreachableMessages.some((pattern) => pattern.test(message));
}

/** The driver's error as the Store speaks it: StoreUnavailableError when the database is out of reach. */
export function translateDriverError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnreachable(error)) return error;
  const reason = (error as DriverError).message ?? String(error);
  return new StoreUnavailableError(`No usable PostgreSQL connection: ${reason}`, { cause: error });
}

/** A start-up failure as one sentence an operator can act on. */
export function startupMessage(error: unknown, target: PostgresTarget, connectTimeoutMs: number): string {
  const where = `DATABASE_URL (${describeTarget(target)})`;
  const { code } = (error ?? {}) as DriverError;
  const message = redact((error as DriverError | undefined)?.message ?? String(error), target.password);
  const server = `${target.host}:${target.port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `${where}: nothing accepts connections at ${server}; is PostgreSQL running and listening there?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: the host "${target.host}" cannot be resolved.`;
    case '28P01':
      return `${where}: PostgreSQL refused the password of user "${target.user}".`;
    case '28000':
      return `${where}: PostgreSQL does not let user "${target.user}" connect to database "${target.database}" from here (pg_hba.conf): ${message}`;
    case '3D000':
      return `${where}: the database "${target.database}" does not exist; create it first (createdb -O ${target.user} ${target.database}).`;
    case '53300':
      return `${where}: PostgreSQL has no connection slot left (max_connections); lower DATABASE_POOL_SIZE or raise max_connections.`;
    default:
      break;
  }
  if (/timeout/i.test(message)) return `${where}: no answer from ${server} within ${connectTimeoutMs / 1000} s.`;
  if (/SASL|password must be a string/.test(message)) {
    return `${where}: PostgreSQL asks user "${target.user}" for a password and DATABASE_URL has none (postgres://user:password@host/database).`;
  }
  return `${where}: could not open the database: ${message}`;
}

/** Belt and braces: whatever the driver said is repeated without the password. */
function redact(text: string, password: string): string {
  return password === '' ? text : text.replaceAll(password, '***');
}
