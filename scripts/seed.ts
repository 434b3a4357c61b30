/**
 * npm run db:seed [-- --season <year>]
 *
 * Fills a dev database with the generated league (dev/seed/): teams, owners, players, picks and
 * trades in every status. Idempotent: a second run inserts nothing. Uses DATABASE_URL, else the
 * embedded database that start-dev.sh runs.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeSeed, seedDatabase } from '../dev/seed/seed-database.ts';
import { SeedConflictError } from '../dev/seed/write-league.ts';
import { loadDevEnvFiles } from './lib/load-env-files.ts';

loadDevEnvFiles(path.resolve(import.meta.dirname, '..'));

const { values } = parseArgs({ options: { season: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('usage: npm run db:seed [-- --season <year>]   (DATABASE_URL, else the embedded dev database)\n');
  process.exit(0);
}
const season = values.season === undefined ? undefined : Number(values.season);
if (season !== undefined && !(Number.isInteger(season) && season >= 2000 && season <= 2100)) {
  process.stderr.write(`--season must be a year (got "${values.season}")\n`);
  process.exit(64);
}

const url = process.env.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${process.env.DEV_POSTGRES_PORT ?? 54329}/trademachine`;
const shownUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
const schema = process.env.OWNER_SCHEMA;

function why(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (error instanceof SeedConflictError) return error.message;
  if (code === 'ECONNREFUSED') {
    return `could not connect to ${shownUrl}: ${process.env.DATABASE_URL ? 'is that server running?' : 'start ./start-dev.sh first (or set DATABASE_URL)'}`;
  }
  if (code === '42P01') return `${shownUrl} has no owner schema (${error instanceof Error ? error.message : code}); start-dev.sh applies it to the embedded database`;
  if (code === '3D000') return `${shownUrl}: ${error instanceof Error ? error.message : code}`;
  return error instanceof Error ? error.message : String(error);
}

try {
  const result = await seedDatabase(url, { ...(schema ? { schema } : {}), ...(season ? { season } : {}) });
  process.stdout.write(`${describeSeed(result)}\n`);
} catch (error) {
  process.stderr.write(`db:seed: ${why(error)}\n`);
  process.exit(1);
}
