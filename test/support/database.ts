import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeOwnerDb, createOwnerDb, type FullOwnerDb } from '../../src/db/database.ts';
import type { DB } from '../../src/db/types.generated.ts';
import { withPgClient } from '../../scripts/lib/pg-client.ts';

/** Set by the global setup: a superuser URL of the test cluster. */
export const ADMIN_URL_VARIABLE = 'TM_TEST_ADMIN_URL';
/** The database holding the owner's schema that test databases are cloned from. */
export const OWNER_TEMPLATE = 'tm_owner_template';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A Kysely instance over its own pool, closed by drop(); the whole schema, since tests play the owner. */
  readonly db: FullOwnerDb;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env[ADMIN_URL_VARIABLE];
  if (!url) throw new Error(`${ADMIN_URL_VARIABLE} is not set: run tests through "npm test", whose global setup starts PostgreSQL`);
  return url;
}

/** URL of another database on the test cluster. */
export function urlOf(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPgClient(adminUrl(), work);
}

/**
 * A fresh database for one test file: a clone of the owner-schema template, or empty.
 * Never shared, so tests can write freely and run in parallel.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `tm_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.empty ? 'template0' : OWNER_TEMPLATE;
  await asAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = urlOf(name);
  const { db, pool } = createOwnerDb<DB>({ url, poolMax: 5, applicationName: 'tm-test' });
  let dropped = false;
  return {
    name,
    url,
    db,
    pool,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await closeOwnerDb({ db, pool });
      await asAdmin(async (client) => {
        // pool.end() returns before the server has seen every connection close; a forced drop
        // would then kill a closing connection under some other test's feet.
        for (let tries = 0; tries < 50; tries += 1) {
          const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}
