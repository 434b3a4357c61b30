/**
 * The harness's own PostgreSQL: an embedded cluster in a temp folder on a free port, persistent so
 * a stop/start (the "PostgreSQL restart" fault) keeps the data. Never the machine's server.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../lib/embedded-postgres.ts';
import { applyOwnerSchema } from '../../test/fixtures/owner-schema/apply-owner-schema.ts';
import { findFreePort } from '../../test/support/free-port.ts';
import { withPgClient } from '../lib/pg-client.ts';

/** application_name of the harness's own connections, so pg_terminate_backend never picks them. */
export const HARNESS_APPLICATION_NAME = 'trademachine-chaos';
const DATABASE = 'chaos';

export interface ChaosCluster {
  /** URL of the owner database (which also holds the queue schema). */
  readonly url: string;
  readonly port: number;
  /** Id of the `user` row every test email goes to. */
  readonly userId: string;
  /** Fast shutdown (SIGINT: active connections are cut), data kept. */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port and folder. */
  start(): Promise<void>;
  readonly running: boolean;
}

/** Opens a short-lived connection, runs `work`, closes it; errors (server down) propagate. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPgClient(url, work, { application_name: HARNESS_APPLICATION_NAME, connectionTimeoutMillis: 5_000 });
}

/** Starts the cluster in `dir`, creates the owner database with its schema and one user. */
export async function startChaosCluster(dir: string, onLog?: (line: string) => void): Promise<ChaosCluster> {
  const port = await findFreePort();
  const dataDir = path.join(dir, 'pgdata');
  const boot = () => startEmbeddedPostgres({ dataDir, port, persistent: true, onLog });
  let postgres: RunningPostgres | undefined = await boot();
  const adminUrl = postgres.adminUrl;
  const url = postgres.urlFor(DATABASE);
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${DATABASE} TEMPLATE template0 ENCODING 'UTF8'`));
  const userId = randomUUID();
  await withClient(url, async (client) => {
    // Both deployments, as the owner keeps them (the worker serves staging's schema by default).
    await applyOwnerSchema(client);
    await applyOwnerSchema(client, { schema: 'staging' });
    await client.query(`INSERT INTO "user" (id, email, "displayName") VALUES ($1, $2, $3)`, [userId, 'chaos@trademachine.local', 'Chaos Monkey']);
  });
  return {
    url,
    port,
    userId,
    get running() {
      return postgres !== undefined;
    },
    stop: async () => {
      const current = postgres;
      postgres = undefined;
      await current?.stop();
    },
    start: async () => {
      if (postgres) return;
      postgres = await boot();
    },
  };
}
