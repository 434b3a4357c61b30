/**
 * Start-up's first contact with each database. A server still booting or a network blip is
 * waited out (with backoff, up to DATABASE_WAIT_MS); a refusal that waiting cannot fix (wrong
 * password) stops at once. Either way the error names the variable and says the cause once,
 * instead of surfacing later as a schema or queue failure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import { redact } from './schema-check/check-schema.ts';

/** Exit code of a worker that could not reach a database (EX_UNAVAILABLE). */
export const DATABASE_UNREACHABLE_EXIT_CODE = 69;

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
  readonly code = 'DATABASE_UNREACHABLE';
  readonly variable: string;
  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.variable = variable;
  }
}

export interface DatabaseToReach {
  /** The variable it came from, named in every message: DATABASE_URL, STAGING_DATABASE_URL. */
  readonly variable: string;
  readonly url: string;
}

/** SQLSTATEs that no amount of waiting fixes: bad credentials, no such role. */
const permanentCodes = new Set(['28P01', '28000']);

/** One line: the server's own words, or the socket error's code and address. */
export function describeConnectError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeConnectError(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const { code } = error as Error & { code?: string };
  // A socket error's message already carries its code ("connect ECONNREFUSED 127.0.0.1:1").
  if (code && /^[A-Z]+$/.test(code) && !error.message.includes(code)) return `${code}: ${error.message}`;
  return error.message;
}

async function tryConnect(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'trademachine-worker:startup' });
  client.on('error', () => {}); // connect() and query() reject with the same error
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Resolves once `database` answers, or throws DatabaseUnreachableError after `waitMs` (at once for
 * bad credentials). Logs each failed try at warn so an operator sees why start-up is waiting.
 */
export async function waitForDatabase(database: DatabaseToReach, options: { readonly waitMs: number; readonly log: Logger }): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  let delay = 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await tryConnect(database.url, Math.max(1000, Math.min(10_000, deadline - Date.now())));
      if (attempt > 1) options.log.info({ variable: database.variable, attempt }, 'database reachable');
      return;
    } catch (error) {
      const cause = describeConnectError(error);
      const where = `${database.variable} (${redact(database.url)})`;
      const code = (error as { code?: string }).code;
      if (code && permanentCodes.has(code)) {
        throw new DatabaseUnreachableError(database.variable, `${where}: the server refused the login: ${cause}`, { cause: error });
      }
      if (Date.now() + delay > deadline) {
        const waited = options.waitMs > 0 ? ` (kept trying for ${Math.round(options.waitMs / 1000)} s, DATABASE_WAIT_MS)` : '';
        throw new DatabaseUnreachableError(database.variable, `${where}: cannot connect: ${cause}${waited}`, { cause: error });
      }
      options.log.warn({ variable: database.variable, attempt, cause, retryInMs: delay }, 'database not reachable yet; trying again');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}
