/**
 * Checks pg-boss's own schema: installed, and at the version the installed pg-boss expects.
 * pg-boss only reports its version through a started instance, and starting one may run DDL, so
 * the expected version is read from the package (`pgboss.schema` in its package.json, the
 * constant its contractor migrates to) and the installed one from `<schema>.version`.
 */
import pgBossPackage from 'pg-boss/package.json' with { type: 'json' };
import type { Queryable } from './live-schema.ts';
import type { SchemaFinding } from './report.ts';

/** The queue schema version the installed pg-boss creates and runs on. */
export const expectedQueueSchemaVersion: number = pgBossPackage.pgboss.schema;

/** The version recorded in `<schema>.version`, or null when pg-boss is not installed there. */
export async function installedQueueSchemaVersion(client: Queryable, schema: string): Promise<number | null> {
  const { rows } = await client.query<{ table: string | null }>('SELECT to_regclass(format(\'%I.version\', $1::text))::text AS "table"', [schema]);
  if (!rows[0]?.table) return null;
  const version = await client.query<{ version: number }>(`SELECT version FROM ${rows[0].table} ORDER BY version DESC LIMIT 1`);
  return version.rows[0]?.version ?? null;
}

const SQL_HINT = 'print the SQL with `npm run queue:sql`';

/**
 * Findings for the queue schema. With `migrate` the worker creates or upgrades it at start-up, so
 * absent or older is only information; without it (QUEUE_MIGRATE=false) a DBA must apply the SQL
 * first. A newer schema than pg-boss knows always breaks: this pg-boss would run on tables it does not understand.
 */
export async function checkQueueSchema(client: Queryable, schema: string, migrate: boolean): Promise<SchemaFinding[]> {
  const installed = await installedQueueSchemaVersion(client, schema);
  const expected = String(expectedQueueSchemaVersion);
  const object = `${schema}.version`;
  if (installed === null) {
    return [
      migrate
        ? { severity: 'info', object: schema, kind: 'queue_schema_missing', expected, actual: null, message: 'pg-boss is not installed; the worker creates its schema at start-up (QUEUE_MIGRATE=true)' }
        : { severity: 'breaking', object: schema, kind: 'queue_schema_missing', expected, actual: null, message: `pg-boss is not installed and QUEUE_MIGRATE=false forbids creating it; ${SQL_HINT} and apply it` },
    ];
  }
  if (installed === expectedQueueSchemaVersion) return [];
  if (installed > expectedQueueSchemaVersion) {
    return [{ severity: 'breaking', object, kind: 'queue_schema_version', expected, actual: String(installed), message: `the queue schema is newer than this pg-boss supports; upgrade the worker's pg-boss` }];
  }
  return [
    migrate
      ? { severity: 'info', object, kind: 'queue_schema_version', expected, actual: String(installed), message: 'older queue schema; pg-boss migrates it at start-up (QUEUE_MIGRATE=true)' }
      : { severity: 'breaking', object, kind: 'queue_schema_version', expected, actual: String(installed), message: `older queue schema and QUEUE_MIGRATE=false forbids migrating it; ${SQL_HINT} -- --from ${installed} and apply it` },
  ];
}
