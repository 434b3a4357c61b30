/**
 * The queue half of the check, and QUEUE_MIGRATE=false: the worker runs on a queue schema a DBA
 * installed from `npm run queue:sql`, and a missing one is caught before pg-boss starts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runNodeScript } from '../support/spawn-node.ts';
import { testConfig } from '../support/test-config.ts';
import { checkSchema } from '../../src/db/schema-check/check-schema.ts';
import { expectedQueueSchemaVersion } from '../../src/db/schema-check/queue-schema.ts';
import { runStartupSchemaCheck, SchemaDriftError, schemaReadiness } from '../../src/db/schema-check/startup-check.ts';
import { schemaCheckStatusValue } from '../../src/db/schema-check/report.ts';
import { startWorker } from '../../src/worker.ts';

const log = pino({ level: 'silent' });
const SCHEMA = 'dba_queue';

describe('queue schema installed by a DBA (QUEUE_MIGRATE=false)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  before(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  test('before the SQL is applied: breaking for the guard, information when the worker may migrate', async () => {
    const strict = await checkSchema({ client: pool, queue: { schema: SCHEMA, migrate: false } });
    assert.equal(strict.status, 'breaking');
    assert.deepEqual(strict.findings, [
      {
        severity: 'breaking',
        object: SCHEMA,
        kind: 'queue_schema_missing',
        expected: String(expectedQueueSchemaVersion),
        actual: null,
        message: 'pg-boss is not installed and QUEUE_MIGRATE=false forbids creating it; print the SQL with `npm run queue:sql` and apply it',
      },
    ]);
    const lenient = await checkSchema({ client: pool, queue: { schema: SCHEMA, migrate: true } });
    assert.equal(lenient.status, 'clean');
    assert.equal(lenient.findings[0]?.severity, 'info');

    const options = { targets: [{ name: 'production', client: pool, schema: 'public' }], queue: { schema: SCHEMA, migrate: false }, log } as const;
    await assert.rejects(runStartupSchemaCheck({ ...options, mode: 'fail' }), (error: unknown) => {
      assert.ok(error instanceof SchemaDriftError);
      assert.equal(error.code, 'SCHEMA_DRIFT');
      assert.match(error.message, /^the production database schema breaks the worker \(set SCHEMA_CHECK=warn to start anyway\):/);
      assert.match(error.message, /dba_queue +queue_schema_missing/);
      return true;
    });
    const warned = await runStartupSchemaCheck({ ...options, mode: 'warn' });
    assert.equal(warned.status, 'breaking');
    assert.equal(schemaCheckStatusValue(warned.results[0]!.report), 2);
    assert.deepEqual(schemaReadiness(warned), { ok: true, detail: 'breaking (SCHEMA_CHECK=warn): production: dba_queue queue_schema_missing' });
    assert.deepEqual(schemaReadiness(await runStartupSchemaCheck({ ...options, mode: 'off' })), { ok: true, detail: 'off (SCHEMA_CHECK=off)' });
  });

  test('after the printed SQL is applied, the check is clean and a worker with QUEUE_MIGRATE=false starts on it', async () => {
    const printed = await runNodeScript('scripts/queue-schema-sql.ts', ['--schema', SCHEMA], {});
    assert.equal(printed.code, 0, printed.stderr);
    await pool.query(printed.stdout);

    const report = await checkSchema({ client: pool, queue: { schema: SCHEMA, migrate: false } });
    assert.deepEqual(report, { status: 'clean', ownerSchema: 'public', queueSchema: SCHEMA, findings: [] });

    const worker = await startWorker({ config: testConfig(database.url, { HTTP_PORT: '0', QUEUE_MIGRATE: 'false', QUEUE_SCHEMA: SCHEMA }), log });
    try {
      assert.ok(await worker.boss.getQueue('email.send'), 'queues were created in the DBA-installed schema');
    } finally {
      await worker.stop();
    }
  });

  test('an older or newer installed version is named, with the fix', async () => {
    await pool.query(`UPDATE ${SCHEMA}.version SET version = $1`, [expectedQueueSchemaVersion - 1]);
    const older = await checkSchema({ client: pool, queue: { schema: SCHEMA, migrate: false } });
    assert.deepEqual(older.findings.map((f) => [f.severity, f.object, f.kind, f.actual, f.message]), [
      ['breaking', `${SCHEMA}.version`, 'queue_schema_version', String(expectedQueueSchemaVersion - 1), `older queue schema and QUEUE_MIGRATE=false forbids migrating it; print the SQL with \`npm run queue:sql\` -- --from ${expectedQueueSchemaVersion - 1} and apply it`],
    ]);
    await pool.query(`UPDATE ${SCHEMA}.version SET version = $1`, [expectedQueueSchemaVersion + 1]);
    const newer = await checkSchema({ client: pool, queue: { schema: SCHEMA, migrate: true } });
    assert.deepEqual(newer.findings.map((f) => [f.severity, f.kind]), [['breaking', 'queue_schema_version']]);
  });
});
