/**
 * The embedded PostgreSQL behind `start-dev.sh`, in a process of its own group so that Ctrl-C in
 * the terminal reaches the worker first and the database stays up while the worker drains.
 * It plays the owner's part: creates the database and applies the owner-schema stand-in once.
 * Prints one JSON line `{"url": …}` when ready; stops when its stdin closes (the parent exited)
 * or on SIGTERM.
 */
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './lib/embedded-postgres.ts';
import { applyOwnerSchema } from '../test/fixtures/owner-schema/apply-owner-schema.ts';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.DEV_POSTGRES_PORT ?? 54329);
const database = 'trademachine';

const cluster = await startEmbeddedPostgres({ dataDir: path.join(root, '.data/postgres'), port, persistent: true });

async function query<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const exists = await query(cluster.adminUrl, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);
if (!exists) await query(cluster.adminUrl, (client) => client.query(`CREATE DATABASE ${database}`));
const url = cluster.urlFor(database);
const hasOwnerSchema = await query(url, async (client) => (await client.query(`SELECT to_regclass('public.team') IS NOT NULL AS present`)).rows[0]?.present === true);
if (!hasOwnerSchema) await query(url, (client) => applyOwnerSchema(client));

process.stdout.write(`${JSON.stringify({ url, ownerSchemaApplied: !hasOwnerSchema })}\n`);

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
