/**
 * The embedded PostgreSQL behind `start-dev.sh`, in a process of its own group so that Ctrl-C in
 * the terminal reaches the worker first and the database stays up while the worker drains.
 * It plays the owner's part: creates the database, applies the owner-schema stand-in once per
 * deployment schema (public, staging) and seeds the dev league into each right after (dev/seed/).
 * Prints one JSON line `{"url": …}` when ready; * stops when its stdin closes (the parent exited) or on SIGTERM. A failure we expect (port taken,
 * data folder in use) is one line on stderr and exit code 1.
 */
import path from 'node:path';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './lib/embedded-postgres.ts';
import { applyOwnerSchema } from '../test/fixtures/owner-schema/apply-owner-schema.ts';
import { describeSeed, seedDatabase } from '../dev/seed/seed-database.ts';
import { withPgClient } from './lib/pg-client.ts';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.DEV_POSTGRES_PORT ?? 54329);
const dataDir = path.resolve(root, process.env.DEV_POSTGRES_DIR ?? '.data/postgres');
const database = 'trademachine';

/** What to do about an expected failure, for someone who just ran ./start-dev.sh. */
const hints: Partial<Record<EmbeddedPostgresError['code'], string>> = {
  PG_PORT_IN_USE: 'set DEV_POSTGRES_PORT to a free port (in .env), or stop that program',
  PG_DATA_DIR_IN_USE: 'is start-dev.sh already running from this folder? stop it first',
};

const cluster = await startEmbeddedPostgres({ dataDir, port, persistent: true }).catch((error: unknown) => {
  if (!(error instanceof EmbeddedPostgresError)) throw error;
  const hint = hints[error.code];
  process.stderr.write(`${error.message}${hint ? `; ${hint}` : ''}\n`);
  process.exit(1);
});

const query = withPgClient;

const exists = await query(cluster.adminUrl, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);
if (!exists) await query(cluster.adminUrl, (client) => client.query(`CREATE DATABASE ${database}`));
const url = cluster.urlFor(database);
/**
 * Both deployments of the owner, as in production: production's tables in `public`, staging's in
 * `staging` of the same database. Each schema is built and seeded once, the first time it is
 * missing (a data folder from before staging existed gets staging on its next start).
 */
const ownerSchemas = ['public', 'staging'] as const;
const applied: string[] = [];
const seededLines: string[] = [];
for (const schema of ownerSchemas) {
  const present = await query(url, async (client) => (await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${schema}.team`])).rows[0]?.present === true);
  if (present) continue;
  await query(url, (client) => applyOwnerSchema(client, { schema }));
  applied.push(schema);
  // A fresh schema gets the dev league once; `npm run db:seed` adds it again whenever wanted.
  seededLines.push(
    await seedDatabase(url, { schema }).then(
      (result) => `${describeSeed(result)} in ${schema}`,
      (error: unknown) => `not seeded in ${schema} (${error instanceof Error ? error.message : String(error)}); run npm run db:seed`,
    ),
  );
}
const seeded = seededLines.length > 0 ? seededLines.join('; ') : undefined;

process.stdout.write(`${JSON.stringify({ url, ownerSchemaApplied: applied.length > 0, ownerSchemas: applied, ...(seeded ? { seeded } : {}) })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', () => {}); // the parent decides when we stop
