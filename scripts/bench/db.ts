/**
 * The bench's database: a fresh one per run, on BENCH_DATABASE_URL's server when set, else on an
 * embedded PostgreSQL in a temp folder, so nothing a run leaves behind can skew the next run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.ts';
import { findFreePort } from '../../test/support/free-port.ts';
import { withPgClient } from '../lib/pg-client.ts';

export interface BenchDatabase {
  readonly url: string;
  /** Where it runs, for the report header. */
  readonly where: string;
  /** The server's version string, for the report header. */
  readonly serverVersion: string;
  /** Drops the database, and stops the embedded server if the bench started one. */
  close(): Promise<void>;
}

const asAdmin = withPgClient;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates the run's database on `adminUrl`'s server; the owner schema is not needed (see bench.ts). */
async function createRunDatabase(adminUrl: string): Promise<{ url: string; serverVersion: string; drop(): Promise<void> }> {
  const name = `tm_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const serverVersion = await asAdmin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]?.v ?? 'unknown';
  });
  return {
    url: withDatabase(adminUrl, name),
    serverVersion,
    drop: () => asAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** BENCH_DATABASE_URL (any database on the server; a superuser or CREATEDB role) or an embedded cluster. */
export async function openBenchDatabase(benchDatabaseUrl: string | undefined): Promise<BenchDatabase> {
  if (benchDatabaseUrl) {
    const run = await createRunDatabase(benchDatabaseUrl);
    return { url: run.url, where: `BENCH_DATABASE_URL (${new URL(benchDatabaseUrl).host})`, serverVersion: run.serverVersion, close: run.drop };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'tm-bench-pg-'));
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), persistent: false });
  try {
    const run = await createRunDatabase(cluster.adminUrl);
    return {
      url: run.url,
      where: 'embedded PostgreSQL (fsync off, temp dir)',
      serverVersion: run.serverVersion,
      close: async () => {
        await run.drop().catch(() => undefined);
        await cluster.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
